// Parcels in the documented SOAP dialect, driven by the node `soap` package from edigrid's own
// WSDL the way an integrator would (createClientAsync, then <Op>Async). The caller must be a
// NetworkAdmin: it makes two mailboxes A and B with one ID each; A uploads an X12 file of three
// interchanges, two to B's ID and one to an ID nobody has. B's inbox must list one parcel with the
// two, its download must be those bytes exactly, and once confirmed it must be gone from the inbox
// and in the archive; A's outbox shows the upload in error and the undelivered interchange's
// reason. Prints OK per step, a CREATED line (JSON) for the Rust test and PASS; FAIL and exit 1
// at the first wrong answer.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import soap from 'soap';

let step = 'start';
function fail(msg) {
  console.error(`FAIL [${step}] ${msg}`);
  process.exit(1);
}
function check(cond, msg) {
  if (!cond) fail(msg);
}
function expectEq(what, got, want) {
  const [g, w] = [JSON.stringify(got), JSON.stringify(want)];
  check(g === w, `${what}: got ${g}, want ${w}`);
}
function ok() {
  console.log(`OK ${step}`);
}
// node soap yields an array for maxOccurs="unbounded" items, nothing for an empty list.
function items(result, item) {
  const found = result?.[item] ?? [];
  return Array.isArray(found) ? found : [found];
}
async function call(op, args) {
  try {
    const [answer] = await client[`${op}Async`](args);
    return answer?.[`${op}Result`];
  } catch (err) {
    fail(`${op}: unexpected fault ${err?.root?.Envelope?.Body?.Fault?.faultstring ?? err.message}`);
  }
}
async function fault(op, args) {
  try {
    await client[`${op}Async`](args);
  } catch (err) {
    const f = err?.root?.Envelope?.Body?.Fault;
    check(f, `${op}: expected a SOAP fault, got ${err.message}`);
    return f.detail ?? {};
  }
  fail(`${op}: expected a SOAP fault, got a result`);
}
function detail(d, name) {
  // The detail holds the legacy elements directly or inside one wrapper element.
  if (d?.[name] !== undefined) return String(d[name]);
  for (const v of Object.values(d ?? {})) {
    if (v && typeof v === 'object' && v[name] !== undefined) return String(v[name]);
  }
  return undefined;
}
function interchange(sender, receiver, n) {
  const isa = `ISA*00*          *00*          *ZZ*${sender.padEnd(15)}*ZZ*${receiver.padEnd(15)}*260507*0800*U*00401*${String(n).padStart(9, '0')}*0*P*>~`;
  check(isa.length === 106, `the flow's own ISA is ${isa.length} bytes`);
  return `${isa}GS*PO*${sender}*${receiver}*20260507*0930*${n}*X*004010~ST*850*0001~BEG*00*SA*PO${n}**20260507~SE*3*0001~GE*1*${n}~IEA*1*${String(n).padStart(9, '0')}~`;
}

const { values: a } = parseArgs({
  options: {
    wsdl: { type: 'string' },
    login: { type: 'string' },
    password: { type: 'string' },
  },
  strict: true,
});
for (const k of ['wsdl', 'login', 'password']) {
  if (a[k] === undefined) fail(`missing --${k}`);
}
const tag = randomBytes(4).toString('hex').toUpperCase();
const client = await soap.createClientAsync(a.wsdl);

step = 'Login, two mailboxes, an ID in each';
const sid = await call('Login', { UserName: a.login, Password: a.password, SenderSolution: 'parcels_flow.mjs' });
const me = await call('WhoAmI', { SessionID: sid });
expectEq('WhoAmI AuthLevel', me.AuthLevel, 'NetworkAdmin');
const net = me.NetworkID;
const boxes = {};
for (const letter of ['A', 'B']) {
  const pair = `N${letter}${tag}`;
  const m = await call('MailboxAdd', {
    SessionID: sid, NetworkID: net, UniqueID: pair, CompanyName: `Node parcels ${letter} ${tag}`,
    Address1: '1 Dock Rd', Address2: '', City: 'Newark', State: 'NJ', Zip: '07101', Phone: '555-0100',
    AdminEmail: `node.${tag.toLowerCase()}@example.com`,
  });
  const tp = await call('TPAdd', {
    SessionID: sid, NetworkID: net, MailboxID: m.MailboxID, Qualifier: 'ZZ', ID: pair,
    Description: `node parcels ${letter}`, RoutingGroup: 'ProductionA', EDIStandard: 'X12',
  });
  boxes[letter] = { mailbox: m.MailboxID, ecgrid: tp.ECGridID, pair };
}
const [A, B] = [boxes.A, boxes.B];
ok();

step = 'A uploads three interchanges: two to B, one to nobody';
const nobody = `NOBODY${tag}`;
const [one, lost, two] = [interchange(A.pair, B.pair, 1), interchange(A.pair, nobody, 2), interchange(A.pair, B.pair, 3)];
const upload = Buffer.from(one + lost + two);
const delivered = Buffer.from(one + two);
const out = Number(await call('ParcelUploadEx', {
  SessionID: sid, NetworkID: net, MailboxID: A.mailbox, FileName: `node-${tag}.x12`, Bytes: upload.length,
  Content: upload.toString('base64'),
}));
check(Number.isInteger(out) && out > 0, `ParcelUploadEx answered ${out}, not a ParcelID`);
ok();

step = "B's inbox lists one parcel with the two interchanges for B";
const box = (op, mailbox, extra = {}) => call(op, {
  SessionID: sid, NetworkID: net, MailboxID: mailbox, PageNo: 1, RecordsPerPage: 100, ...extra,
});
const inbox = items(await box('ParcelInBox', B.mailbox), 'ParcelIDInfo');
expectEq('ParcelInBox of B: number of parcels', inbox.length, 1);
const p = inbox[0];
expectEq('the inbound parcel (NetworkID, MailboxID, Bytes, Status, ECGridIDFrom, ECGridIDTo)',
  [p.NetworkID, p.MailboxID, p.Bytes, p.Status, p.ECGridIDFrom, p.ECGridIDTo],
  [net, B.mailbox, delivered.length, 'InBoxReady', A.ecgrid, B.ecgrid]);
check(p.Created instanceof Date && Math.abs(Date.now() - p.Created.getTime()) < 10 * 60_000, `Created ${p.Created}`);
const id = Number(p.ParcelID);
const info = await call('ParcelInfo', { SessionID: sid, ParcelID: id });
expectEq('ParcelInfo (ParcelID, FileName, Bytes, Status)', [Number(info.ParcelID), info.FileName, info.Bytes, info.Status],
  [id, `node-${tag}.x12`, delivered.length, 'InBoxReady']);
const tooMany = await fault('ParcelInBox', { SessionID: sid, NetworkID: net, MailboxID: B.mailbox, RecordsPerPage: 501 });
expectEq('ParcelInBox RecordsPerPage 501: ErrorItem', detail(tooMany, 'ErrorItem'), 'RecordsPerPage');
ok();

step = 'ParcelDownload returns the two interchanges byte for byte';
const content = await call('ParcelDownload', { SessionID: sid, ParcelID: id });
check(typeof content === 'string', `ParcelDownloadResult should be base64 text, got ${typeof content}`);
check(Buffer.from(content, 'base64').equals(delivered), 'the downloaded bytes differ from the two interchanges');
ok();

step = 'ParcelDownloadConfirm: gone from the inbox, in the archive';
expectEq('ParcelDownloadConfirm', await call('ParcelDownloadConfirm', { SessionID: sid, ParcelID: id }), true);
expectEq('ParcelInBox of B after the confirm', items(await box('ParcelInBox', B.mailbox), 'ParcelIDInfo'), []);
const archive = items(await box('ParcelInBoxArchive', B.mailbox), 'ParcelIDInfo');
expectEq('ParcelInBoxArchive of B: (ParcelID, Status)', archive.map((x) => [Number(x.ParcelID), x.Status]), [[id, 'InBoxArchived']]);
ok();

step = "A's outbox shows the upload in error, with the reason";
const outbox = items(await box('ParcelOutBox', A.mailbox), 'ParcelIDInfo');
expectEq('ParcelOutBox of A: (ParcelID, Bytes, Status)', outbox.map((x) => [Number(x.ParcelID), x.Bytes, x.Status]),
  [[out, upload.length, 'outboxDeliveryError']]);
const sent = items(await box('InterchangeOutBox', A.mailbox), 'InterchangeIDInfo');
expectEq('InterchangeOutBox of A: (Receiver, Status)', sent.map((x) => [x.Receiver, x.Status]),
  [[`ZZ:${B.pair}`, 'Delivered'], [`ZZ:${nobody}`, 'NoRoute'], [`ZZ:${B.pair}`, 'Delivered']]);
check(String(sent[1].Reason ?? '').includes(nobody), `the Reason should name ${nobody}: ${JSON.stringify(sent[1].Reason)}`);
ok();

step = 'Logout';
expectEq('Logout', await call('Logout', { SessionID: sid }), true);
ok();

console.log(`CREATED ${JSON.stringify({ mailboxes: [A.mailbox, B.mailbox], ecgrid_ids: [A.ecgrid, B.ecgrid], outbound: out, inbound: id, upload: upload.toString(), delivered: delivered.toString(), nobody })}`);
console.log('PASS node soap parcels flow');
