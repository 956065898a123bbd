/*
 * HTML escaping (html_escape.h).
 */
#include "html_escape.h"

#include <string.h>

int cd_html_escaped(cd_sink *sink, const char *text)
{
    const char *run = text;
    for (const char *p = text; *p; p++) {
        const char *entity = NULL;
        switch (*p) {
        case '&': entity = "&amp;"; break;
        case '<': entity = "&lt;"; break;
        case '>': entity = "&gt;"; break;
        case '"': entity = "&quot;"; break;
        case '\'': entity = "&#39;"; break;
        default:
            if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
                entity = "\xef\xbf\xbd";
            else if (*p == 0x7f)
                entity = "\xef\xbf\xbd";
        }
        if (entity) {
            cd_sink_write(sink, run, (size_t)(p - run));
            cd_sink_puts(sink, entity);
            run = p + 1;
        }
    }
    cd_sink_puts(sink, run);
    return sink->failed ? -1 : 0;
}
