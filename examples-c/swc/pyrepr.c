/* JSON values printed as Python prints them, for `swc capabilities` to say
 * byte for byte what `swift capabilities` says: str() and repr() of what
 * json.loads gives (True, None, 'quoted' strings, 60.0, dicts in the
 * document's order), and json.dumps(sort_keys=True, indent=2). */
#include "swc.h"

#include <stdlib.h>
#include <string.h>

/* Python's repr() of a float: the shortest digits that read back the same,
 * fixed notation for exponents -4 to 15 (with ".0" when integral), else
 * d[.ddd]e+XX. */
static void py_float(FILE *out, double d) {
    char buf[64], digits[32];
    int p, e = 0, n = 0, i;
    char *c;
    for (p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, d);
        if (strtod(buf, NULL) == d) break;
    }
    c = buf;
    if (*c == '-') fputc(*c++, out);
    for (; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9') digits[n++] = *c;
    if (*c == 'e') e = atoi(c + 1);
    while (n > 1 && digits[n - 1] == '0') n--;
    digits[n] = '\0';
    if (e < -4 || e >= 16) {
        fprintf(out, "%c%s%s", digits[0], n > 1 ? "." : "", digits + 1);
        fprintf(out, "e%c%02d", e < 0 ? '-' : '+', abs(e));
    } else if (e < 0) {
        fputs("0.", out);
        for (i = 0; i < -e - 1; i++) fputc('0', out);
        fputs(digits, out);
    } else {
        for (i = 0; i <= e; i++) fputc(i < n ? digits[i] : '0', out);
        fprintf(out, ".%s", n > e + 1 ? digits + e + 1 : "0");
    }
}

/* The next code point of UTF-8 text at *p (advanced past it). */
static unsigned long next_cp(const unsigned char **p) {
    const unsigned char *s = *p;
    unsigned long cp = *s;
    int more = cp >= 0xf0 ? 3 : cp >= 0xe0 ? 2 : cp >= 0xc0 ? 1 : 0;
    if (more) cp &= 0x3f >> more;
    for (s++; more-- > 0 && (*s & 0xc0) == 0x80; s++) cp = (cp << 6) | (*s & 0x3f);
    *p = s;
    return cp;
}

/* Whether Python's str.isprintable() is false for a non-ASCII code point
 * (the controls, separators and format characters a capability may hold). */
static int py_unprintable(unsigned long cp) {
    return cp <= 0xa0 || cp == 0xad || (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
           (cp >= 0x205f && cp <= 0x2064) || cp == 0x3000 || cp == 0xfeff;
}

/* Python's repr() of a str: single quotes unless it holds ' and no ". */
static void py_repr_str(FILE *out, const char *s) {
    char q = (strchr(s, '\'') && !strchr(s, '"')) ? '"' : '\'';
    const unsigned char *p = (const unsigned char *)s;
    fputc(q, out);
    while (*p) {
        unsigned long cp;
        if (*p < 0x80) {
            unsigned char ch = *p++;
            if (ch == '\\' || ch == (unsigned char)q) fprintf(out, "\\%c", ch);
            else if (ch == '\n') fputs("\\n", out);
            else if (ch == '\r') fputs("\\r", out);
            else if (ch == '\t') fputs("\\t", out);
            else if (ch < 0x20 || ch == 0x7f) fprintf(out, "\\x%02x", ch);
            else fputc(ch, out);
            continue;
        }
        {
            const unsigned char *start = p;
            cp = next_cp(&p);
            if (!py_unprintable(cp)) fwrite(start, 1, (size_t)(p - start), out);
            else if (cp <= 0xff) fprintf(out, "\\x%02lx", cp);
            else fprintf(out, "\\u%04lx", cp);
        }
    }
    fputc(q, out);
}

void py_repr(FILE *out, json_t *v) {
    const char *k;
    json_t *item;
    size_t i, first = 1;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        fputc('{', out);
        json_object_foreach(v, k, item) {
            if (!first) fputs(", ", out);
            first = 0;
            py_repr_str(out, k);
            fputs(": ", out);
            py_repr(out, item);
        }
        fputc('}', out);
        break;
    case JSON_ARRAY:
        fputc('[', out);
        json_array_foreach(v, i, item) {
            if (i) fputs(", ", out);
            py_repr(out, item);
        }
        fputc(']', out);
        break;
    case JSON_STRING: py_repr_str(out, json_string_value(v)); break;
    case JSON_INTEGER: fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
    case JSON_REAL: py_float(out, json_real_value(v)); break;
    case JSON_TRUE: fputs("True", out); break;
    case JSON_FALSE: fputs("False", out); break;
    case JSON_NULL: fputs("None", out); break;
    }
}

/* Python's str(): a string as it is, anything else as repr(). */
static void py_str(FILE *out, json_t *v) {
    if (json_is_string(v)) fputs(json_string_value(v), out);
    else py_repr(out, v);
}

static int by_name(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* An object's keys, sorted as Python sorts str (code points: UTF-8 bytes). */
static const char **sorted_keys(json_t *o, size_t *n) {
    const char **keys = (const char **)malloc((json_object_size(o) + 1) * sizeof *keys);
    const char *k;
    json_t *v;
    *n = 0;
    if (keys == NULL) return NULL;
    json_object_foreach(o, k, v) keys[(*n)++] = k;
    qsort(keys, *n, sizeof *keys, by_name);
    return keys;
}

/* json.dumps's string: ASCII only, \uXXXX (lowercase, surrogate pairs). */
static void py_json_str(FILE *out, const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    while (*p) {
        unsigned long cp = *p < 0x80 ? *p++ : next_cp(&p);
        if (cp == '"' || cp == '\\') fprintf(out, "\\%c", (int)cp);
        else if (cp == '\n') fputs("\\n", out);
        else if (cp == '\r') fputs("\\r", out);
        else if (cp == '\t') fputs("\\t", out);
        else if (cp == '\b') fputs("\\b", out);
        else if (cp == '\f') fputs("\\f", out);
        else if (cp >= 0x20 && cp < 0x7f) fputc((int)cp, out);
        else if (cp < 0x10000) fprintf(out, "\\u%04lx", cp);
        else fprintf(out, "\\u%04lx\\u%04lx", 0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    }
    fputc('"', out);
}

/* json.dumps(v, sort_keys=True, indent=2) at nesting `depth`. */
static void py_json(FILE *out, json_t *v, int depth) {
    size_t i, n;
    json_t *item;
    const char **keys;
    if (json_is_object(v) && json_object_size(v) > 0 && (keys = sorted_keys(v, &n)) != NULL) {
        fputs("{\n", out);
        for (i = 0; i < n; i++) {
            fprintf(out, "%*s", 2 * (depth + 1), "");
            py_json_str(out, keys[i]);
            fputs(": ", out);
            py_json(out, json_object_get(v, keys[i]), depth + 1);
            fputs(i + 1 < n ? ",\n" : "\n", out);
        }
        fprintf(out, "%*s}", 2 * depth, "");
        free(keys);
    } else if (json_is_array(v) && json_array_size(v) > 0) {
        fputs("[\n", out);
        json_array_foreach(v, i, item) {
            fprintf(out, "%*s", 2 * (depth + 1), "");
            py_json(out, item, depth + 1);
            fputs(i + 1 < json_array_size(v) ? ",\n" : "\n", out);
        }
        fprintf(out, "%*s]", 2 * depth, "");
    } else if (json_is_string(v)) {
        py_json_str(out, json_string_value(v));
    } else if (json_is_null(v)) {
        fputs("null", out);
    } else if (json_is_boolean(v)) {
        fputs(json_is_true(v) ? "true" : "false", out);
    } else if (json_is_object(v)) {
        fputs("{}", out);
    } else if (json_is_array(v)) {
        fputs("[]", out);
    } else {
        py_repr(out, v); /* numbers: as repr() */
    }
}

/* swift's _print_compo_cap: each feature, sorted, then its options, sorted,
 * "  key: str(value)"; the feature `only` alone, or (skip_only) all but it. */
static void compo_cap(FILE *out, const char *name, json_t *caps, const char *only, int skip_only) {
    size_t i, j, n, m;
    const char **features = sorted_keys(caps, &n);
    for (i = 0; features && i < n; i++) {
        json_t *opts = json_object_get(caps, features[i]);
        const char **keys;
        if ((strcmp(features[i], only) == 0) == skip_only) continue;
        fprintf(out, "%s: %s\n", name, features[i]);
        if (!json_is_object(opts) || json_object_size(opts) == 0) continue;
        fputs(" Options:\n", out);
        keys = sorted_keys(opts, &m);
        for (j = 0; keys && j < m; j++) {
            fprintf(out, "  %s: ", keys[j]);
            py_str(out, json_object_get(opts, keys[j]));
            fputc('\n', out);
        }
        free(keys);
    }
    free(features);
}

void py_print_capabilities(FILE *out, json_t *caps, int as_json) {
    if (as_json) {
        py_json(out, caps, 0);
        fputc('\n', out);
        return;
    }
    compo_cap(out, "Core", caps, "swift", 0);
    compo_cap(out, "Additional middleware", caps, "swift", 1);
}
