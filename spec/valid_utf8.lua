-- For the specs: true when s is valid UTF-8 (RFC 3629), checked independently of
-- imerr._json: no overlong forms, surrogates or code points above U+10FFFF.
return function(s)
  local i, n = 1, #s
  while i <= n do
    local c = s:byte(i)
    local len, min
    if c < 0x80 then len, min = 1, 0
    elseif c >= 0xC0 and c < 0xE0 then len, min = 2, 0x80
    elseif c >= 0xE0 and c < 0xF0 then len, min = 3, 0x800
    elseif c >= 0xF0 and c < 0xF8 then len, min = 4, 0x10000
    else return false
    end
    if i + len - 1 > n then return false end
    local cp = len == 1 and c or c % (2 ^ (7 - len))
    for k = i + 1, i + len - 1 do
      local b = s:byte(k)
      if b < 0x80 or b > 0xBF then return false end
      cp = cp * 64 + b % 64
    end
    if cp < min or cp > 0x10FFFF or (cp >= 0xD800 and cp <= 0xDFFF) then
      return false
    end
    i = i + len
  end
  return true
end
