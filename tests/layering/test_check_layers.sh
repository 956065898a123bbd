#!/usr/bin/env bash
# check_layers.py catches each kind of layering fault: a small tree that obeys
# its layers passes, and each fault planted in a copy of it fails with the
# message that names it.
set -u
checker="$(cd "$(dirname "$0")" && pwd)/check_layers.py"
work=$(mktemp -d "${TMPDIR:-/tmp}/cd-layers.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0 checks=0

# put FILE LINES...: a source file opening with a comment, then the lines.
put() {
  local file=$1; shift
  mkdir -p "$(dirname "$file")"
  { echo "/* $(basename "$file") */"; printf '%s\n' "$@"; } >"$file"
}

# A clean tree: common/ below collector/low/, below collector/high/ and its
# sibling collector/side/, below collector/.
clean="$work/clean"
mkdir -p "$clean/docs"
cat >"$clean/docs/architecture.md" <<'DOC'
```layers
common/             0
collector/low/      1
collector/high/     2
collector/side/     2
collector/          3
```
DOC
put "$clean/include/carbondump/util.h" '/* One. */' 'int cd_util(void);'
put "$clean/common/util.c" '#include "carbondump/util.h"' 'int cd_util(void)' '{' '    return 1;' '}'
put "$clean/collector/low/low.h" '#include "carbondump/util.h"' '/* Two. */' 'int cd_low(void);'
put "$clean/collector/low/low.c" '#include "low.h"' 'int cd_low(void)' '{' '    return cd_util();' '}'
put "$clean/collector/high/high.h" '/* Three. */' 'int cd_high(void);'
put "$clean/collector/high/high.c" '#include "high.h"' '#include "low/low.h"' 'int cd_high(void)' '{' \
  '    return cd_low();' '}'
put "$clean/collector/side/side.h" '/* Zero. */' 'int cd_side(void);'
put "$clean/collector/side/side.c" '#include "side.h"' 'int cd_side(void)' '{' '    return 0;' '}'
put "$clean/collector/main.c" '#include "high/high.h"' '#include "side/side.h"' 'int main(void)' '{' \
  '    return cd_high() + cd_side();' '}'

expect() { # name expected-exit expected-text tree
  local out rc
  checks=$((checks + 1))
  out=$(python3 "$checker" "$4" 2>&1); rc=$?
  if [ "$rc" != "$2" ] || ! grep -qF -- "$3" <<<"$out"; then
    echo "FAIL $1: expected exit $2 and '$3', got exit $rc:"; echo "$out"
    failures=$((failures + 1))
  fi
}
variant() { # name: a fresh copy of the clean tree
  rm -rf "${work:?}/$1"; cp -r "$clean" "$work/$1"; echo "$work/$1"
}

expect clean 0 "layers ok" "$clean"

t=$(variant upward)
put "$t/collector/low/low.c" '#include "low.h"' '#include "high/high.h"' 'int cd_low(void)' '{' \
  '    return cd_util();' '}'
expect upward 1 "collector/low/low.c: includes collector/high/high.h of a higher stage" "$t"

t=$(variant sibling)
put "$t/collector/side/side.c" '#include "side.h"' '#include "high/high.h"' 'int cd_side(void)' '{' \
  '    return 0;' '}'
expect sibling 1 "includes collector/high/high.h of a sibling stage" "$t"

t=$(variant include_circle)
put "$t/collector/low/other.h" '/* Two too. */' 'int cd_other(void);'
put "$t/collector/low/other.c" '#include "other.h"' '#include "low.h"' 'int cd_other(void)' '{' \
  '    return 2;' '}'
put "$t/collector/low/low.c" '#include "low.h"' '#include "other.h"' 'int cd_low(void)' '{' \
  '    return cd_util();' '}'
expect include_circle 1 "include circle among: collector/low/low, collector/low/other" "$t"

t=$(variant hidden_declaration)
put "$t/collector/low/low.h" '#include "carbondump/util.h"' '/* Two. */' 'int cd_low(void);' \
  '/* Three, from above. */' 'int cd_high(void);'
expect hidden_declaration 1 "collector/low/low.h: declares cd_high, which is defined in collector/high/" "$t"

t=$(variant call_circle)
put "$t/collector/low/low.h" '/* Two. */' 'int cd_low(void);' '/* Two again. */' 'int cd_low_helper(void);'
put "$t/collector/low/low.c" '#include "low.h"' 'int cd_low(void)' '{' '    return cd_low_helper();' '}'
put "$t/collector/low/helper.c" '#include "low.h"' 'int cd_low_helper(void)' '{' '    return cd_low();' '}'
expect call_circle 1 "call circle among: collector/low/helper.c, collector/low/low.c" "$t"

t=$(variant unlisted_folder)
put "$t/collector/stray/stray.h" '/* Lost. */' 'int cd_stray(void);'
expect unlisted_folder 1 "collector/stray/stray.h: folder collector/stray/ is not listed" "$t"

t=$(variant missing_folder)
rm -rf "$t/collector/side"
put "$t/collector/main.c" '#include "high/high.h"' 'int main(void)' '{' '    return cd_high();' '}'
expect missing_folder 1 "collector/side/: listed in architecture.md but not in the tree" "$t"

t=$(variant no_opening_comment)
printf '#include "side.h"\nint cd_side(void)\n{\n    return 0;\n}\n' >"$t/collector/side/side.c"
expect no_opening_comment 1 "collector/side/side.c: does not open with a comment" "$t"

t=$(variant no_contract)
put "$t/collector/low/low.h" '#include "carbondump/util.h"' '/* Two. */' 'int cd_low(void);' '' \
  'int cd_low_twice(void);'
expect no_contract 1 "collector/low/low.h: declares cd_low_twice without a contract comment above it" "$t"

t=$(variant shared_state_call)
put "$t/collector/side/side.c" '/* Side. */' '#include <string.h>' '#include "side.h"' \
  'int cd_side(char *text)' '{' '    return strtok(text, " ") != NULL;' '}'
expect shared_state_call 1 "collector/side/side.c: calls strtok, whose state all threads share (use strtok_r)" "$t"

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" = 0 ]
