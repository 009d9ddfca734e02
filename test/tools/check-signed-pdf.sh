#!/usr/bin/env bash
# Kept in the project (from the workplace's shared/tools) so that the tests pass on a clone of it alone.
# usage: check-signed-pdf.sh file.pdf ["expected text" ...]   env: NSSDIR=sql:/path/to/nssdb (optional, a trusted CA)
# Checks a signed PDF the way an outside party would: signature valid over the whole file, qpdf structure,
# fonts embedded with ToUnicode, renders with no system fonts, expected text extractable. Exit 1 on any FAIL.
# needs: poppler-utils (pdfsig pdftotext pdffonts pdftoppm), qpdf
set -u; f=$1; shift; fail=0
say() { echo "$1: $2"; if [ "$1" = FAIL ]; then fail=1; fi; return 0; }
out=$(pdfsig ${NSSDIR:+-nssdir "$NSSDIR"} "$f" 2>&1); rc=$?   # rc: 0 = has signature(s) (even if invalid!), 2 = none
[ $rc -eq 2 ] && say FAIL "no signatures"
grep -q 'Signature Validation: Signature is Valid\.' <<<"$out" && say PASS "signature valid" || say FAIL "signature: $(grep -o 'Signature Validation: .*' <<<"$out" | head -1)"
grep -q 'Total document signed' <<<"$out" && say PASS "covers whole file" || say FAIL "ByteRange does not cover whole file (bytes appended / incremental update)"
echo "INFO: $(grep -o 'Certificate Validation: .*' <<<"$out" | head -1)"   # 'Certificate is Trusted.' only with NSSDIR holding the CA
qpdf --check "$f" >/dev/null 2>&1; q=$?; [ $q -eq 0 ] && say PASS "qpdf --check" || say FAIL "qpdf --check rc=$q"
pdffonts "$f" 2>/dev/null | awk 'NR>2 && ($(NF-4)!="yes" || $(NF-2)!="yes"){bad=1} END{exit bad}' && say PASS "all fonts embedded + ToUnicode" || say FAIL "font not embedded or missing ToUnicode"
# render with an EMPTY fontconfig so poppler cannot substitute an installed CJK font for a broken embedded one
tmp=$(mktemp -d); printf '<?xml version="1.0"?><fontconfig><cachedir>%s</cachedir></fontconfig>' "$tmp" > "$tmp/fc.conf"
errs=$(FONTCONFIG_FILE="$tmp/fc.conf" pdftoppm -png -r 50 -f 1 -l 1 "$f" "$tmp/p" 2>&1)
[ -z "$errs" ] && say PASS "renders without font errors" || say FAIL "render: $(head -1 <<<"$errs")"
txt=$(pdftotext "$f" - 2>/dev/null | tr -d ' \n')
for s in "$@"; do grep -qF -- "$(tr -d ' ' <<<"$s")" <<<"$txt" && say PASS "text '$s'" || say FAIL "text '$s' not extractable"; done
rm -rf "$tmp"; exit $fail
