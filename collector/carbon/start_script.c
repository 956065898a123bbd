/*
 * carbondump's block in a Carbon start script: see start_script.h.
 *
 * The script is read as lines once (scan_script) into the facts the decisions
 * need: where the anchor line and the block are, and whether JAVA_OPTS is still
 * used, or set again, after the anchor. Adding and removing are then splices of
 * whole lines, so everything outside the block keeps its bytes.
 */
#include "start_script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_BEGIN_LINE                                                                           \
    CD_AGENT_BLOCK_BEGIN " added by 'carbondump install-agent'; "                                  \
                         "'carbondump install-agent --uninstall' removes it\n"

typedef struct script_facts {
    size_t anchor;             /* offset of the anchor line; len if there is none */
    size_t anchor_line;        /* its line number, 1-based; 0 if none */
    size_t block_begin;        /* offsets of the block's first line and of the line after it */
    size_t block_end;          /* both 0 if there is no block */
    size_t damaged_line;       /* a marker line without its partner; 0 if none */
    size_t foreign_agent_line; /* loads libcarbondump outside the block; 0 if none */
    size_t opts_set_line;      /* JAVA_OPTS assigned after the anchor; 0 if not */
    int opts_used;             /* $JAVA_OPTS expanded after the anchor */
} script_facts;

static int starts_with(const char *line, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(line, prefix, n) == 0;
}

static int contains(const char *line, size_t len, const char *needle)
{
    return memmem(line, len, needle, strlen(needle)) != NULL;
}

/* A line that assigns JAVA_OPTS (also "export JAVA_OPTS=..." and "+="), after
 * leading blanks: from there on, options added earlier may be lost. */
static int assigns_java_opts(const char *line, size_t len)
{
    while (len && (*line == ' ' || *line == '\t'))
        line++, len--;
    if (starts_with(line, len, "export ") || starts_with(line, len, "export\t"))
        line += 7, len -= 7;
    while (len && (*line == ' ' || *line == '\t'))
        line++, len--;
    return starts_with(line, len, "JAVA_OPTS=") || starts_with(line, len, "JAVA_OPTS+=");
}

static int is_comment(const char *line, size_t len)
{
    while (len && (*line == ' ' || *line == '\t'))
        line++, len--;
    return len && *line == '#';
}

static int scan_script(const char *script, size_t len, script_facts *facts, cd_error *err)
{
    memset(facts, 0, sizeof *facts);
    facts->anchor = len;
    if (memchr(script, '\0', len))
        return cd_fail(err, CD_ERR_UNSUPPORTED, "it holds NUL bytes: not a shell script");
    const char *first_newline = memchr(script, '\n', len);
    size_t first_len = first_newline ? (size_t)(first_newline - script) : len;
    if (!starts_with(script, first_len, "#!") || !contains(script, first_len, "sh"))
        return cd_fail(err, CD_ERR_UNSUPPORTED,
                       "it does not start with a #! line naming a shell: not a shell script");
    size_t block_line = 0, number = 0;
    for (size_t at = 0; at < len;) {
        const char *line = script + at;
        const char *newline = memchr(line, '\n', len - at);
        size_t line_len = newline ? (size_t)(newline - line) : len - at;
        size_t next = newline ? at + line_len + 1 : len;
        number++;
        if (starts_with(line, line_len, CD_AGENT_BLOCK_BEGIN)) {
            if (block_line || facts->block_end)
                facts->damaged_line = number;
            block_line = number;
            facts->block_begin = at;
        } else if (starts_with(line, line_len, CD_AGENT_BLOCK_END)) {
            if (!block_line)
                facts->damaged_line = number;
            else
                facts->block_end = next;
            block_line = 0;
        } else if (!block_line && !is_comment(line, line_len) &&
                   contains(line, line_len, "libcarbondump")) {
            facts->foreign_agent_line = number;
        } else if (!block_line && facts->anchor_line) {
            if (assigns_java_opts(line, line_len) && !facts->opts_set_line)
                facts->opts_set_line = number;
            if (!is_comment(line, line_len) && (contains(line, line_len, "$JAVA_OPTS") ||
                                                contains(line, line_len, "${JAVA_OPTS}")))
                facts->opts_used = 1;
        }
        if (!facts->anchor_line && starts_with(line, line_len, CD_START_SCRIPT_ANCHOR)) {
            facts->anchor_line = number;
            facts->anchor = at;
        }
        at = next;
    }
    if (block_line)
        facts->damaged_line = block_line;
    if (facts->damaged_line)
        return cd_fail(err, CD_ERR_UNSUPPORTED,
                       "line %zu: carbondump's block is damaged (a '%s' line without its '%s' "
                       "partner); restore the script from its backup or mend it by hand",
                       facts->damaged_line, CD_AGENT_BLOCK_BEGIN, CD_AGENT_BLOCK_END);
    return 0;
}

int cd_start_script_check_word(const char *what, const char *value, cd_error *err)
{
    static const char unsafe[] = " \t\n\r\"'`$\\*?[]{}()<>|&;!#~";
    if (!*value)
        return cd_fail(err, CD_ERR_USAGE, "%s is empty", what);
    size_t bad = strcspn(value, unsafe);
    if (value[bad] == '\0')
        return 0;
    char shown[16];
    if (value[bad] == ' ' || value[bad] == '\t')
        snprintf(shown, sizeof shown, "a blank");
    else if (value[bad] == '\n' || value[bad] == '\r')
        snprintf(shown, sizeof shown, "a line break");
    else
        snprintf(shown, sizeof shown, "'%c'", value[bad]);
    return cd_fail(err, CD_ERR_USAGE,
                   "%s '%s' holds %s, which the start script would not pass to java intact "
                   "(it expands JAVA_OPTS unquoted); choose one without it",
                   what, value, shown);
}

/* Replaces script[from, to) by insert; the result is NUL-terminated. */
static int splice(const char *script, size_t len, size_t from, size_t to, const char *insert,
                  char **out, size_t *out_len, cd_error *err)
{
    size_t insert_len = strlen(insert);
    size_t total = len - (to - from) + insert_len;
    char *text = malloc(total + 1);
    if (!text)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory editing the start script");
    memcpy(text, script, from);
    memcpy(text + from, insert, insert_len);
    memcpy(text + from + insert_len, script + to, len - to);
    text[total] = '\0';
    *out = text;
    *out_len = total;
    return 0;
}

int cd_start_script_add_agent(const char *script, size_t len, const char *agent_option, char **out,
                              size_t *out_len, cd_script_change *change, cd_error *err)
{
    script_facts facts;
    if (scan_script(script, len, &facts, err) != 0)
        return -1;
    if (facts.foreign_agent_line)
        return cd_fail(err, CD_ERR_UNSUPPORTED,
                       "line %zu already loads libcarbondump outside carbondump's block; remove "
                       "that line first, so the agent is not loaded twice",
                       facts.foreign_agent_line);
    if (!facts.anchor_line)
        return cd_fail(err, CD_ERR_UNSUPPORTED,
                       "it has no '%s' line, after which a Carbon start script runs java with "
                       "$JAVA_OPTS: it does not look like a WSO2 Carbon start script",
                       CD_START_SCRIPT_ANCHOR);
    if (facts.opts_set_line)
        return cd_fail(err, CD_ERR_UNSUPPORTED,
                       "line %zu sets JAVA_OPTS after the '%s' line (line %zu), which would "
                       "drop the agent",
                       facts.opts_set_line, CD_START_SCRIPT_ANCHOR, facts.anchor_line);
    if (!facts.opts_used)
        return cd_fail(err, CD_ERR_UNSUPPORTED,
                       "nothing after the '%s' line (line %zu) passes $JAVA_OPTS to java",
                       CD_START_SCRIPT_ANCHOR, facts.anchor_line);

    size_t block_len = strlen(BLOCK_BEGIN_LINE) + strlen(agent_option) +
                       sizeof "JAVA_OPTS=\"$JAVA_OPTS \"\n" + sizeof CD_AGENT_BLOCK_END "\n";
    char *block = malloc(block_len);
    if (!block)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory editing the start script");
    snprintf(block, block_len, "%sJAVA_OPTS=\"$JAVA_OPTS %s\"\n%s\n", BLOCK_BEGIN_LINE,
             agent_option, CD_AGENT_BLOCK_END);

    int rc;
    if (!facts.block_end) {
        *change = CD_SCRIPT_ADDED;
        rc = splice(script, len, facts.anchor, facts.anchor, block, out, out_len, err);
    } else if (facts.block_end - facts.block_begin == strlen(block) &&
               memcmp(script + facts.block_begin, block, strlen(block)) == 0) {
        *change = CD_SCRIPT_UNCHANGED;
        rc = splice(script, len, 0, 0, "", out, out_len, err);
    } else {
        *change = CD_SCRIPT_UPDATED;
        rc = splice(script, len, facts.block_begin, facts.block_end, block, out, out_len, err);
    }
    free(block);
    return rc;
}

int cd_start_script_remove_agent(const char *script, size_t len, char **out, size_t *out_len,
                                 cd_script_change *change, cd_error *err)
{
    script_facts facts;
    if (scan_script(script, len, &facts, err) != 0)
        return -1;
    *change = facts.block_end ? CD_SCRIPT_REMOVED : CD_SCRIPT_UNCHANGED;
    return splice(script, len, facts.block_begin, facts.block_end, "", out, out_len, err);
}
