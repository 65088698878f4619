#!/usr/bin/env bash
# Renders the caller prompts from their texts (prompts/text/<language>.txt)
# into the files hushboxd plays: <out>/<language>/<name>.opus, and the beep
# as <out>/beep.opus, each normalised to -3 dBFS peak. Reproducible: espeak-ng
# is deterministic, sox runs repeatable (-R) without dither (-D), and opusenc
# gets a fixed Ogg serial, so the same texts give the same bytes.
#
#   scripts/render-prompts.sh [OUT_DIR]      (default: prompts/rendered)
#
# A technician can replace any rendered file with a recording of their own:
# any Ogg Opus file (e.g. `opusenc --framesize 20 speech.wav disclaimer.opus`);
# hushboxd decodes prompts at start and re-encodes them for each call's codec.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/prompts/rendered}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in espeak-ng sox opusenc; do
    command -v "$tool" >/dev/null || { echo "error: $tool is missing (Debian: apt-get install espeak-ng sox opus-tools)" >&2; exit 1; }
done

encode() {  # encode WAV OPUS: mono 16 kHz, 20 ms frames, speech bit rate, fixed serial
    sox -R -D "$1" -r 16000 -c 1 -b 16 "$work/16k.wav" gain -n -3
    opusenc --quiet --serial 1 --framesize 20 --bitrate 24 "$work/16k.wav" "$2"
}

mkdir -p "$out"
for text in "$root"/prompts/text/*.txt; do
    language=$(basename "$text" .txt)
    mkdir -p "$out/$language"
    while IFS= read -r line; do
        [[ -z "${line// }" || "$line" == \#* ]] && continue
        name=${line%% = *}
        words=${line#* = }
        # A little silence before and after, so no word is clipped at a prompt's edges.
        espeak-ng -v "$language" -s 150 -w "$work/spoken.wav" "$words"
        sox -R -D "$work/spoken.wav" "$work/padded.wav" pad 0.15 0.25
        encode "$work/padded.wav" "$out/$language/$name.opus"
    done < "$text"
done

# The beep: 400 ms of 1 kHz with 10 ms fades, the tone callers expect.
sox -R -D -n -r 16000 -c 1 -b 16 "$work/beep.wav" synth 0.4 sine 1000 vol 0.25 fade 0.01 0.4 0.01
encode "$work/beep.wav" "$out/beep.opus"
echo "Rendered the prompts into $out"
