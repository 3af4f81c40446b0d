import NumberlineCore
import NumberlineNumbers

/// Parses and checks bulk number input with libphonenumber, spread over several threads.
enum NumberParsing {
    /// Parsed numbers in input order, or the rejections that stop the call.
    struct Outcome: Sendable {
        var numbers: [NewNumber] = []
        /// At most `NumberRules.maxListedRejections` entries, in input order.
        var rejections: [NumberRejection] = []
        var rejectedCount = 0

        mutating func reject(_ input: String, _ reason: NumberRejectionReason) {
            rejectedCount += 1
            if rejections.count < NumberRules.maxListedRejections {
                rejections.append(NumberRejection(telephoneNumber: input, reason: reason))
            }
        }
    }

    /// Rows below this count are parsed in one piece, because a task per chunk costs more than it saves.
    static let minRowsPerChunk = 4096

    /// Parses `rows` in `chunkCount` concurrent child tasks, then rejects numbers that repeat.
    ///
    /// Run it under `withTaskExecutorPreference(pool)`: the child tasks inherit the preference,
    /// so the parsing runs on the blocking pool's threads and never on an event loop.
    static func parse(_ rows: [UploadRow], mode: NumberValidation, chunkCount: Int) async -> Outcome {
        let chunks = max(1, min(chunkCount, rows.count / minRowsPerChunk))
        let chunkSize = (rows.count + chunks - 1) / chunks
        let parts = await withTaskGroup(of: (Int, Outcome).self) { group in
            for chunk in 0..<chunks {
                let range = (chunk * chunkSize)..<min(rows.count, (chunk + 1) * chunkSize)
                group.addTask {
                    (chunk, parseChunk(rows[range], mode: mode))
                }
            }
            var parts = [Outcome](repeating: Outcome(), count: chunks)
            for await (chunk, outcome) in group {
                parts[chunk] = outcome
            }
            return parts
        }

        var merged = Outcome()
        merged.numbers.reserveCapacity(rows.count)
        for part in parts {
            merged.numbers += part.numbers
            merged.rejectedCount += part.rejectedCount
            merged.rejections += part.rejections.prefix(NumberRules.maxListedRejections - merged.rejections.count)
        }

        var seen = Set<String>(minimumCapacity: merged.numbers.count)
        for number in merged.numbers where !seen.insert(number.telephoneNumber).inserted {
            merged.reject(number.telephoneNumber, .repeated)
        }
        return merged
    }

    /// Parses one list of inputs without attributes, as assign, release and delete send them.
    static func parse(_ inputs: [String], region: String?, chunkCount: Int) async -> Outcome {
        let rows = inputs.map { UploadRow(input: $0, region: region, attributes: NumberAttributes()) }
        return await parse(rows, mode: .possible, chunkCount: chunkCount)
    }

    private static func parseChunk(_ rows: ArraySlice<UploadRow>, mode: NumberValidation) -> Outcome {
        let libraryMode: ValidationMode = mode == .strict ? .strict : .possible
        var outcome = Outcome()
        outcome.numbers.reserveCapacity(rows.count)
        for row in rows {
            if let problem = row.problem {
                outcome.reject(row.input, .invalid(problem))
                continue
            }
            switch TelephoneNumbers.parse(row.input, defaultRegion: row.region, mode: libraryMode) {
            case .success(let number):
                outcome.numbers.append(NewNumber(telephoneNumber: number.digits, country: number.region, attributes: row.attributes))
            case .failure(let problem):
                outcome.reject(row.input, .invalid(problem.message))
            }
        }
        return outcome
    }
}
