/*
** imerr: Tencent Cloud IM error codes as a static C table.
** Every function is reentrant: the table is read-only and nothing is
** allocated, so any thread may call them at any time.
*/
#ifndef IMERR_H
#define IMERR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The one place the version is written; tools/check_release.lua checks. */
#define IMERR_VERSION "2.0.0"

/*
** IMERR_API marks the public functions. The shared library is compiled
** with -fvisibility=hidden and exports only these; a module that compiles
** imerr.c into itself (imerr.core) defines IMERR_EMBED to keep them all
** private.
*/
#ifndef IMERR_API
#if defined(IMERR_EMBED) && (defined(__GNUC__) || defined(__clang__))
#define IMERR_API __attribute__((visibility("hidden")))
#elif defined(IMERR_EMBED) || defined(IMERR_STATIC)
#define IMERR_API
#elif defined(_WIN32) && defined(IMERR_BUILDING)
#define IMERR_API __declspec(dllexport)
#elif defined(_WIN32)
#define IMERR_API __declspec(dllimport)
#elif defined(__GNUC__) || defined(__clang__)
#define IMERR_API __attribute__((visibility("default")))
#else
#define IMERR_API
#endif
#endif

/* IM error codes are 32-bit signed integers. */
#define IMERR_CODE_MIN (-2147483647LL - 1)
#define IMERR_CODE_MAX 2147483647LL

/* Results of imerr_parse_code. */
#define IMERR_OK 0
#define IMERR_ESYNTAX 1 /* not an optionally signed decimal integer */
#define IMERR_ERANGE 2  /* outside IMERR_CODE_MIN..IMERR_CODE_MAX */

typedef struct imerr_entry {
  long long code;      /* the code, or the first code of a range */
  long long last;      /* last code of a range; equals code otherwise */
  const char *name;    /* constant name, e.g. "ERR_SDK_NOT_INITIALIZED" */
  const char *message; /* what it means, in English, UTF-8 (see source) */
  /* "sdk", "server", "sdk_v3", "push", "push_sdk" or "web_sdk" */
  const char *part;
  const char *section; /* e.g. "network", "sso", "group" */
  int official;        /* 1 when name is Tencent's own identifier */
  /* What to do about it (data/classes.tsv, data/reasons.tsv): */
  const char *retry_class; /* "ok", "transient" or "fatal" */
  const char *reason;      /* e.g. "timeout", "rate_limited", "auth" */
  const char *action;      /* e.g. "retry", "reduce_rate", "relogin" */
  const char *severity;    /* "critical", "warning" or "info" */
  unsigned min_delay_ms;   /* documented minimum wait before a retry */
  int http_status;         /* what an HTTP handler should answer */
  /* Since 1.1.0, after the fields of 1.0.0, which keep their places: */
  /* Where the row comes from (data/sources.tsv): "page-2020" for the rows
     of the 2020 error-code page, whose message is the page's text; e.g.
     "web-sdk" for the web SDK's own codes, described in imerr's words. */
  const char *source;
  /* What Tencent has changed since the source, in English; "" (never
     NULL) when nothing has. */
  const char *change;
  /* 1 when a failure with this code may have been carried out (a request
     that is not idempotent must not be repeated): the reason's default,
     or data/ambiguous.tsv where the code's text settles it. */
  int ambiguous;
} imerr_entry;

/* A reason (data/reasons.tsv): what follows for every code that has it. */
typedef struct imerr_reason {
  const char *name;    /* e.g. "timeout" */
  const char *meaning; /* one line of English */
  const char *retry_class;
  int http_status;
  const char *severity;
  /* 1 when a failure for this reason leaves open whether the request was
     carried out (timeouts, broken connections): repeating a request that
     is not idempotent may do its work twice. */
  int ambiguous;
} imerr_reason;

/* The row holding code (a range row for codes inside it), or NULL. */
IMERR_API const imerr_entry *imerr_find(long long code);

/* The row with this exact name; NULL for NULL, "" or an unknown name. */
IMERR_API const imerr_entry *imerr_find_name(const char *name);

/* Number of rows, and row i in ascending code order (NULL past the end). */
IMERR_API size_t imerr_count(void);
IMERR_API const imerr_entry *imerr_at(size_t i);

/*
** Reasons in the order data/reasons.tsv lists them; imerr_find_reason
** returns NULL for NULL or an unknown name. "unknown" is the reason of
** codes that are not in the table.
*/
IMERR_API size_t imerr_reason_count(void);
IMERR_API const imerr_reason *imerr_reason_at(size_t i);
IMERR_API const imerr_reason *imerr_find_reason(const char *name);

/*
** Parses len bytes of text as a code: optional ASCII white space, an
** optional sign, decimal digits, optional white space. Returns IMERR_OK
** and stores the code, or IMERR_ESYNTAX / IMERR_ERANGE.
*/
IMERR_API int imerr_parse_code(const char *text, size_t len, long long *code);

#ifdef __cplusplus
}
#endif

#endif
