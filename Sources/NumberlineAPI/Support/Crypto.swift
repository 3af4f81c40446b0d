import CSodium

/// Password hashing and random secrets, all from libsodium.
public enum Crypto {
    /// Initializes libsodium; safe to call more than once.
    public static func initialize() {
        precondition(sodium_init() >= 0, "libsodium failed to initialize")
    }

    /// Hashes a password with Argon2id at libsodium's interactive limits. Slow (tens of
    /// milliseconds and 64 MiB): call it on the blocking pool, never on a loop.
    public static func hashPassword(_ password: String) -> String {
        var output = [CChar](repeating: 0, count: Int(crypto_pwhash_STRBYTES))
        // The trailing NUL only keeps the buffer non-empty; the length excludes it.
        let bytes = Array(password.utf8) + [0]
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { characters in
                crypto_pwhash_str(
                    &output, characters.baseAddress!, UInt64(characters.count - 1),
                    UInt64(crypto_pwhash_opslimit_interactive()), crypto_pwhash_memlimit_interactive())
            }
        }
        precondition(status == 0, "Argon2id hashing ran out of memory")
        return output.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Checks a password against a hash from `hashPassword`; as slow as hashing.
    public static func verifyPassword(_ password: String, hash: String) -> Bool {
        let bytes = Array(password.utf8) + [0]
        return bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { characters in
                hash.withCString { hashPointer in
                    crypto_pwhash_str_verify(hashPointer, characters.baseAddress!, UInt64(characters.count - 1)) == 0
                }
            }
        }
    }

    /// Returns `byteCount` random bytes as lower-case hex (a 128-bit token is 32 digits).
    public static func randomHex(byteCount: Int) -> String {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        randombytes_buf(&bytes, byteCount)
        return hex(bytes)
    }

    /// Hex of the 256-bit BLAKE2b hash of a secret: how keys and tokens are stored and looked up.
    public static func secretHash(_ secret: String) -> String {
        var output = [UInt8](repeating: 0, count: 32)
        var input = Array(secret.utf8)
        crypto_generichash(&output, 32, &input, UInt64(input.count), nil, 0)
        return hex(output)
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: [UInt8]) -> String {
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
