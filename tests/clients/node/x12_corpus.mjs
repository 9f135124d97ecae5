// X12 test corpus for edigrid's parcel tests, written by node-x12 (an X12 generator and parser
// that shares no code with edigrid), and node-x12's reading of what edigrid delivered.
//
//   node x12_corpus.mjs generate OUT_DIR SEED SENDER RECEIVER[,RECEIVER...]
//       Writes one file per delimiter variant into OUT_DIR and prints a JSON manifest:
//       {"files": [{"name", "bytes", "interchanges": [{"standard", "offset", "length",
//       "sender", "receiver", "control"}]}]}. SENDER and RECEIVER are `qualifier:id`; a file
//       with several interchanges sends them to the receivers in turn. The same SEED gives the
//       same bytes.
//   node x12_corpus.mjs parse FILE
//       Splits FILE into its interchanges, parses each with node-x12 (strict) and prints them
//       as JSON, every element split into repetitions and components by that interchange's own
//       separators, so that two files differing only in delimiters print the same.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { JSEDINotation, X12Generator, X12Parser } = require('node-x12');

// mulberry32: a small seedable generator, so a seed names one corpus.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The delimiter variants: each file of the corpus uses one.
const VARIANTS = [
  { name: 'x12-00401-star-tilde', version: '00401', element: '*', segment: '~', sub: '>', eol: '', count: 1 },
  { name: 'x12-00401-star-tilde-crlf', version: '00401', element: '*', segment: '~', sub: ':', eol: '\r\n', count: 2 },
  { name: 'x12-00501-pipe-tilde-crlf-rep', version: '00501', element: '|', segment: '~', sub: ':', rep: '^', eol: '\r\n', count: 3 },
  { name: 'x12-00401-star-newline', version: '00401', element: '*', segment: '\n', sub: '>', eol: '', count: 2 },
  { name: 'x12-00501-bang-quote-lf-rep', version: '00501', element: '!', segment: "'", sub: '}', rep: '{', eol: '\n', count: 2 },
  { name: 'x12-00501-control-chars', version: '00501', element: '\x1d', segment: '\x1c', sub: '\x1f', rep: '\x1e', eol: '', count: 2 },
  { name: 'x12-00401-caret-tilde-many', version: '00401', element: '^', segment: '~', sub: '\\', eol: '', count: 5 },
];

function party(text) {
  const at = text.indexOf(':');
  if (at < 1) throw new Error(`not qualifier:id: ${text}`);
  return { qualifier: text.slice(0, at), id: text.slice(at + 1) };
}

function pick(r, list) {
  return list[Math.floor(r() * list.length)];
}

function digits(r, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(r() * 10);
  return s;
}

// One interchange's JS EDI notation: groups of 850s or 837s with composite and repeated
// elements written with the variant's own separators.
function notation(r, v, sender, receiver, control) {
  const date = `2024${String(1 + Math.floor(r() * 12)).padStart(2, '0')}${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
  const time = `${String(Math.floor(r() * 24)).padStart(2, '0')}${String(Math.floor(r() * 60)).padStart(2, '0')}`;
  const isa11 = v.rep ?? 'U';
  const n = new JSEDINotation([
    '00', ' '.repeat(10), '00', ' '.repeat(10), sender.qualifier, sender.id.padEnd(15),
    receiver.qualifier, receiver.id.padEnd(15), date.slice(2), time, isa11, v.version,
    String(control).padStart(9, '0'), '0', pick(r, ['P', 'T']), v.sub,
  ]);
  const gsVersion = v.version === '00501' ? '005010' : '004010';
  const groups = 1 + Math.floor(r() * 2);
  let st = 1;
  for (let g = 0; g < groups; g++) {
    const health = v.version === '00501' && r() < 0.5;
    const group = n.addFunctionalGroup([
      health ? 'HC' : 'PO', 'NXSENDER', 'NXRECEIVER', date, time, String(control % 100000 * 10 + g + 1), 'X',
      health ? '005010X222A1' : gsVersion,
    ]);
    const transactions = 1 + Math.floor(r() * 3);
    for (let t = 0; t < transactions; t++, st++) {
      const number = String(st).padStart(4, '0');
      if (health) {
        const tx = group.addTransaction(['837', number, '005010X222A1']);
        tx.addSegment('BHT', ['0019', '00', `REF${digits(r, 6)}`, date, time, 'CH']);
        tx.addSegment('NM1', ['41', '2', pick(r, ['SUBMITTER', 'CLINIC', 'LAB']), '', '', '', '', '46', `S${digits(r, 5)}`]);
        const codes = [`ABK${v.sub}J${digits(r, 3)}`, `ABF${v.sub}E${digits(r, 3)}${v.rep}ABF${v.sub}I${digits(r, 2)}`];
        tx.addSegment('HI', codes);
        tx.addSegment('CLM', [`C${digits(r, 6)}`, `${digits(r, 3)}.${digits(r, 2)}`, '', '', `11${v.sub}B${v.sub}1`, 'Y', 'A', 'Y', 'Y']);
      } else {
        const tx = group.addTransaction(['850', number]);
        tx.addSegment('BEG', ['00', 'SA', `PO-${digits(r, 6)}`, '', date]);
        tx.addSegment('REF', ['DP', digits(r, 3)]);
        tx.addSegment('N1', ['ST', pick(r, ['WAREHOUSE EAST', 'STORE 12', 'DC NORTH']), '92', digits(r, 4)]);
        const lines = 1 + Math.floor(r() * 4);
        for (let l = 1; l <= lines; l++) {
          tx.addSegment('PO1', [String(l), String(1 + Math.floor(r() * 99)), 'EA', `${digits(r, 2)}.${digits(r, 2)}`, '', 'VP', `SKU-${digits(r, 5)}`]);
          tx.addSegment('PID', ['F', '08', '', '', `ITEM ${digits(r, 3)} COLOR BLUE`]);
        }
        tx.addSegment('CTT', [String(lines)]);
      }
    }
  }
  return n;
}

function generate(outDir, seed, senderText, receiverTexts) {
  const r = rng(seed);
  const sender = party(senderText);
  const receivers = receiverTexts.split(',').map(party);
  fs.mkdirSync(outDir, { recursive: true });
  // Control numbers unique across the corpus, starting somewhere the seed picks.
  let control = 100000 + Math.floor(r() * 800000000);
  let turn = 0;
  const files = [];
  for (const v of VARIANTS) {
    const options = {
      elementDelimiter: v.element, segmentTerminator: v.segment, subElementDelimiter: v.sub,
      repetitionDelimiter: v.rep ?? '^', endOfLine: v.eol || '\n', format: v.eol !== '',
    };
    let text = '';
    const interchanges = [];
    for (let i = 0; i < v.count; i++) {
      const receiver = receivers[turn++ % receivers.length];
      control += 1 + Math.floor(r() * 5);
      // node-x12 ends a formatted interchange without a line end after IEA; one belongs
      // there like after every other segment.
      const one = new X12Generator(notation(r, v, sender, receiver, control), options).toString() + v.eol;
      interchanges.push({
        standard: 'X12', offset: Buffer.byteLength(text, 'latin1'), length: Buffer.byteLength(one, 'latin1'),
        sender: `${sender.qualifier}:${sender.id}`, receiver: `${receiver.qualifier}:${receiver.id}`,
        control: String(control).padStart(9, '0'),
      });
      text += one;
    }
    const name = `${v.name}.x12`;
    const bytes = Buffer.from(text, 'latin1');
    fs.writeFileSync(path.join(outDir, name), bytes);
    files.push({ name, bytes: bytes.length, interchanges });
  }
  process.stdout.write(JSON.stringify({ files }) + '\n');
}

// The interchanges of a text, each from its ISA to the terminator (and line end) of its
// IEA, by the delimiters its own ISA declares.
function split(text) {
  const out = [];
  let at = 0;
  while (at < text.length) {
    while (at < text.length && /\s/.test(text[at])) at++;
    if (at >= text.length) break;
    if (!text.startsWith('ISA', at)) throw new Error(`no ISA at offset ${at}`);
    const element = text[at + 3];
    const segment = text[at + 105];
    const iea = text.indexOf(`IEA${element}`, at + 106);
    if (iea < 0) throw new Error(`no IEA after offset ${at}`);
    let end = text.indexOf(segment, iea) + 1;
    if (end === 0) throw new Error(`IEA at ${iea} not terminated`);
    if (text[end] === '\r') end++;
    if (text[end] === '\n') end++;
    out.push(text.slice(at, end));
    at = end;
  }
  return out;
}

function segmentsOf(interchange) {
  const list = [interchange.header];
  for (const group of interchange.functionalGroups) {
    list.push(group.header);
    for (const tx of group.transactions) list.push(tx.header, ...tx.segments, tx.trailer);
    list.push(group.trailer);
  }
  list.push(interchange.trailer);
  return list;
}

function parse(file) {
  const text = fs.readFileSync(file, 'latin1');
  const result = split(text).map((one) => {
    const interchange = new X12Parser(true).parse(one);
    const sub = one[104];
    const rep = one.slice(84, 89) >= '00501' ? one[82] : null;
    return segmentsOf(interchange).map((segment) => [
      segment.tag,
      segment.elements.map((element, i) => {
        // The separators themselves, in the ISA, are named rather than compared.
        if (segment.tag === 'ISA' && i === 15) return 'SUB-ELEMENT SEPARATOR';
        if (segment.tag === 'ISA' && i === 10 && rep !== null) return 'REPETITION SEPARATOR';
        const repeats = rep === null ? [element.value] : element.value.split(rep);
        return repeats.map((value) => value.split(sub));
      }),
    ]);
  });
  process.stdout.write(JSON.stringify(result) + '\n');
}

const [command, ...args] = process.argv.slice(2);
if (command === 'generate' && args.length === 4) {
  generate(args[0], Number(args[1]), args[2], args[3]);
} else if (command === 'parse' && args.length === 1) {
  parse(args[0]);
} else {
  process.stderr.write('usage: x12_corpus.mjs generate OUT_DIR SEED SENDER RECEIVER[,RECEIVER...] | parse FILE\n');
  process.exit(2);
}
