/*
** libFuzzer target: the callback check (imerr_sig_callback_sign and
** imerr_sig_callback_check) on any bytes. The first byte says how many of
** the rest are the token; then up to IMERR_SIG_TIME_MAX bytes of time; the
** rest is the Sign to check. The Sign made for a token and time matches
** them, and no longer does with any byte changed.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imerr_sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *token, *time, *sign;
  size_t token_len, time_len, sign_len, i;
  char hex[64];
  if (size < 1) return 0;
  token_len = data[0] % size; /* 0 .. size - 1 of the size - 1 left */
  token = (const char *)data + 1;
  time = token + token_len;
  time_len = size - 1 - token_len;
  if (time_len > IMERR_SIG_TIME_MAX) time_len = IMERR_SIG_TIME_MAX;
  sign = time + time_len;
  sign_len = size - 1 - token_len - time_len;

  (void)imerr_sig_callback_check(token, token_len, time, time_len, sign,
                                 sign_len);
  if (imerr_sig_callback_sign(token, token_len, time, time_len, hex) !=
      IMERR_SIG_OK)
    abort();
  for (i = 0; i < 64; i++)
    if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
      abort();
  if (!imerr_sig_callback_check(token, token_len, time, time_len, hex, 64))
    abort();
  i = size % 64;
  hex[i] = hex[i] == '0' ? '1' : '0';
  if (imerr_sig_callback_check(token, token_len, time, time_len, hex, 64))
    abort();
  if (imerr_sig_callback_check(token, token_len, time, time_len, hex, 63))
    abort();
  return 0;
}
