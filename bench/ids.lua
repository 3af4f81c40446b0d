-- Reads the ids for get_account.lua and put_account.lua (account ids) and get_number.lua
-- (telephone numbers as E.164 digits): one decimal id a line
-- in the file named by BENCH_IDS.
function bench_read_ids()
  local path = os.getenv("BENCH_IDS")
  assert(path, "BENCH_IDS is not set; it names a file with one account id a line")
  local ids = {}
  for line in io.lines(path) do
    if line:match("^%d+$") then
      ids[#ids + 1] = line
    end
  end
  assert(#ids > 0, "no decimal ids in " .. path)
  return ids
end
