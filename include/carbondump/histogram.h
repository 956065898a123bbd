/*
 * Class histograms in the text jmap -histo prints, shared by the agent (which
 * counts) and the unit tests (which pin the format down).
 *
 * The format, as HotSpot 17 and 25 print it:
 *
 *    num     #instances         #bytes  class name (module)
 *   -------------------------------------------------------
 *      1:          7255         334616  [B (java.base@17.0.15)
 *      2:          1234          29616  org.example.CountedThing
 *   Total         25456        1138968
 *
 * Rows are sorted by bytes, largest first, ties by class name (byte order), and
 * numbered from 1. Class names are what Class.getName() returns: arrays in
 * descriptor form with dots ("[Ljava.lang.Object;", "[[I"), hidden classes with
 * a slash before their address suffix ("Foo$$Lambda/0x0000000800c01000" on
 * JDK 21+, "Foo$$Lambda$14/0x..." on 17). A class of a named module carries
 * " (name@version)" or " (name)"; the unnamed module nothing.
 */
#ifndef CARBONDUMP_HISTOGRAM_H
#define CARBONDUMP_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "carbondump/sink.h"

typedef struct cd_histo_row {
    const char *name;   /* Class.getName() form */
    const char *module; /* "java.base@17.0.15", "name", or NULL for the unnamed module */
    uint64_t instances;
    uint64_t bytes;
} cd_histo_row;

/* Converts a JVMTI/JNI class signature ("Ljava/lang/String;", "[B",
 * "[Ljava/lang/Object;", "LFoo$$Lambda.0x0000000800c01000;") to the name
 * Class.getName() and jmap print. Returns 0, or -1 if the signature is
 * malformed or the name does not fit in outlen (out is then empty). */
int cd_class_name_from_signature(const char *signature, char *out, size_t outlen);

/* 1 if a class signature names a hidden class (JDK 15+: its internal name
 * holds a '.' before the address suffix; lambdas, method handle forms). */
int cd_class_signature_is_hidden(const char *signature);

/* 1 if name (Class.getName() form) is one of the classes HotSpot 19+ uses to
 * fill known dead heap space (the unused end of a TLAB, a region's tail):
 * jdk.internal.vm.FillerObject and [Ljdk.internal.vm.FillerElement;. Earlier
 * JDKs fill with plain int[] arrays, which cannot be told apart. */
int cd_class_is_heap_filler(const char *name);

/* Sorts rows the way jmap does: bytes descending, then name ascending. */
void cd_histo_sort(cd_histo_row *rows, size_t count);

/* Writes header, numbered rows and the Total line to sink. Returns the sink's
 * state (0, or -1 after a failed write). */
int cd_histo_write_text(cd_sink *sink, const cd_histo_row *rows, size_t count);

/* The rows as the JSON array both histogram engines write under "classes":
 * [{num, instances, bytes, name, module?}], numbered from 1 in the given
 * order. NULL when out of memory. */
struct cJSON *cd_histo_rows_json(const cd_histo_row *rows, size_t count);

/* A histogram parsed from jmap-format text (the VM's own heap inspection
 * answers in it). Strings point into the text, which parsing modifies. */
typedef struct cd_histo_table {
    cd_histo_row *rows;
    size_t count;
    uint64_t total_instances, total_bytes;
} cd_histo_table;

/* Parses the text in place (rows' strings point into it). Returns 0, or -1
 * when a row or the Total line is malformed or missing. */
int cd_histo_parse_text(char *text, cd_histo_table *table);

/* Frees the table's rows (not the text they point into). */
void cd_histo_table_free(cd_histo_table *table);

#endif
