// Independent X12 samples, generated with node-x12 (npm) for edigrid-edi's tests.
const fs = require('fs');
const { JSEDINotation, X12Generator } = require('node-x12');

function isa(sender, receiver, control, version, isa11) {
  return ['00', '          ', '00', '          ', 'ZZ', sender.padEnd(15), '01', receiver.padEnd(15),
    '240315', '0930', isa11, version, control, '1', 'P', '>'];
}

function write(name, notation, options) {
  const text = new X12Generator(notation, options).toString();
  fs.writeFileSync(`out/${name}`, text, 'latin1');
  console.log(name, text.length);
}

// 1. An 850 and an 855 in two groups, 00401, classic delimiters, no line breaks.
{
  const n = new JSEDINotation(isa('NODEX12SENDER', '123456789', '000004711', '00401', 'U'));
  const po = n.addFunctionalGroup(['PO', 'NXSENDER', 'NXRECEIVER', '20240315', '0930', '4711', 'X', '004010']);
  const t1 = po.addTransaction(['850', '0001']);
  t1.addSegment('BEG', ['00', 'SA', 'PO-4711', '', '20240315']);
  t1.addSegment('PO1', ['1', '12', 'EA', '3.50', '', 'VP', 'WIDGET-A']);
  t1.addSegment('CTT', ['1']);
  const t2 = po.addTransaction(['850', '0002']);
  t2.addSegment('BEG', ['00', 'SA', 'PO-4712', '', '20240315']);
  const pr = n.addFunctionalGroup(['PR', 'NXSENDER', 'NXRECEIVER', '20240315', '0930', '4712', 'X', '004010']);
  const t3 = pr.addTransaction(['855', '0003']);
  t3.addSegment('BAK', ['00', 'AC', 'PO-4711', '20240315']);
  write('node-x12-850-855-00401.x12', n, { elementDelimiter: '*', segmentTerminator: '~', subElementDelimiter: '>' });
}

// 2. A 5010 837-like transaction with repetition separator, '|' elements, formatted with CR LF.
{
  const n = new JSEDINotation(isa('NODEX12SENDER', 'PAYER01', '000000042', '00501', '^'));
  const hc = n.addFunctionalGroup(['HC', 'NXSENDER', 'PAYER01', '20240315', '0930', '42', 'X', '005010X222A1']);
  const t = hc.addTransaction(['837', '0042', '005010X222A1']);
  t.addSegment('BHT', ['0019', '00', 'REF42', '20240315', '0930', 'CH']);
  t.addSegment('NM1', ['41', '2', 'SUBMITTER', '', '', '', '', '46', 'S42']);
  t.addSegment('HI', ['ABK:J449', 'ABF:E119^ABF:I10']);
  write('node-x12-837-00501-pipes-crlf.x12', n, {
    elementDelimiter: '|', segmentTerminator: '~', subElementDelimiter: ':', repetitionDelimiter: '^',
    endOfLine: '\r\n', format: true,
  });
}
