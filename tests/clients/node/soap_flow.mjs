// Session flow against an ECGridOS SOAP endpoint, driven by the node `soap` package the way an
// integrator would: createClientAsync(WSDL), then the generated <Op>Async methods.
import { parseArgs } from 'node:util';
import soap from 'soap';

const UUID4_UPPER = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;
const MINUTE = 60_000;

function fail(msg) {
  console.error(`FAIL ${msg}`);
  process.exit(1);
}
function check(cond, step, msg) {
  if (!cond) fail(`${step}: ${msg}`);
}
function expectEq(step, what, got, want) {
  check(got === want, step, `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}
function asDate(v, step, what) {
  // node soap turns xs:dateTime into a Date; a string here would mean it did not.
  check(v instanceof Date && !Number.isNaN(v.getTime()), step, `${what} is not a valid dateTime: ${JSON.stringify(v)}`);
  return v;
}
// The messages of faults as node soap reports them (SOAP 1.1 faultstring or SOAP 1.2 Reason/Text).
function faultText(err) {
  const f = err?.root?.Envelope?.Body?.Fault;
  if (!f) return null;
  const reason = f.Reason?.Text;
  return String(f.faultstring ?? (typeof reason === 'object' ? reason.$value : reason) ?? '');
}

const { values: a } = parseArgs({
  options: {
    wsdl: { type: 'string' },
    login: { type: 'string' },
    password: { type: 'string' },
    network: { type: 'string' },
    mailbox: { type: 'string' },
    'auth-level': { type: 'string' },
    soap: { type: 'string', default: '1.1' },
  },
  strict: true,
});
for (const k of ['wsdl', 'login', 'password', 'network', 'mailbox', 'auth-level']) {
  if (a[k] === undefined) fail(`missing --${k}`);
}
if (!['1.1', '1.2'].includes(a.soap)) fail(`--soap must be 1.1 or 1.2, got ${a.soap}`);
const network = Number(a.network);
const mailbox = Number(a.mailbox);

// Node soap speaks SOAP 1.2 only when asked to, whatever port the WSDL names.
const client = await soap.createClientAsync(a.wsdl, { forceSoap12Headers: a.soap === '1.2' });

const [version] = await client.VersionAsync({});
expectEq('Version', 'result', version?.VersionResult, '4.1');
console.log('OK Version');

const [login] = await client.LoginAsync({
  UserName: a.login,
  Password: a.password,
  SenderSolution: 'edigrid client test (node soap)',
  SenderVersion: '1.0',
  SenderCompanyName: 'edigrid',
  SenderContact: 'CI',
  SenderContactEmail: 'ci@example.com',
});
const sid = login?.LoginResult;
check(typeof sid === 'string' && UUID4_UPPER.test(sid), 'Login', `not an upper-case UUID v4: ${JSON.stringify(sid)}`);
console.log('OK Login');

const [si] = await client.SessionInfoAsync({ SessionID: sid });
const now = Date.now();
const info = si?.SessionInfoResult;
check(info, 'SessionInfo', 'empty result');
expectEq('SessionInfo', 'SessionID', info.SessionID, sid);
expectEq('SessionInfo', 'NetworkID', info.NetworkID, network);
expectEq('SessionInfo', 'MailboxID', info.MailboxID, mailbox);
check(Number.isInteger(info.UserID) && info.UserID > 0, 'SessionInfo', `UserID not a positive int: ${JSON.stringify(info.UserID)}`);
const created = asDate(info.Created, 'SessionInfo', 'Created').getTime();
const expires = asDate(info.Expires, 'SessionInfo', 'Expires').getTime();
check(Math.abs(now - created) <= 5 * MINUTE, 'SessionInfo', `Created ${info.Created.toISOString()} is not within 5 minutes of now`);
check(created <= expires, 'SessionInfo', 'Created is after Expires');
check(expires > now, 'SessionInfo', `Expires ${info.Expires.toISOString()} is not in the future`);
check(expires - created <= 8 * 60 * MINUTE, 'SessionInfo', 'lifetime exceeds 8 hours');
console.log('OK SessionInfo');

const [who] = await client.WhoAmIAsync({ SessionID: sid });
const me = who?.WhoAmIResult;
check(me, 'WhoAmI', 'empty result');
expectEq('WhoAmI', 'UserID', me.UserID, info.UserID);
check(String(me.Login ?? '').toLowerCase() === a.login.toLowerCase(), 'WhoAmI', `Login: got ${JSON.stringify(me.Login)}, want ${JSON.stringify(a.login)} (any case)`);
expectEq('WhoAmI', 'NetworkID', me.NetworkID, network);
expectEq('WhoAmI', 'MailboxID', me.MailboxID, mailbox);
expectEq('WhoAmI', 'AuthLevel', me.AuthLevel, a['auth-level']);
console.log('OK WhoAmI');

const [sl] = await client.SessionLogAsync({ SessionID: sid, UserID: 0, MaxRecords: 10 });
// maxOccurs="unbounded" makes node soap yield an array even for one record, as integrators iterate it.
const records = sl?.SessionLogResult?.SessionIDInfo ?? [];
check(Array.isArray(records), 'SessionLog', `SessionIDInfo is not an array: ${JSON.stringify(records)}`);
const mine = records.find((r) => r?.SessionID === sid);
check(mine, 'SessionLog', `no record with the current SessionID among ${records.length} record(s)`);
expectEq('SessionLog', "UserID of the current session's record", mine.UserID, info.UserID);
console.log('OK SessionLog');

const [out1] = await client.LogoutAsync({ SessionID: sid });
expectEq('Logout', 'first result', out1?.LogoutResult, true);
const [out2] = await client.LogoutAsync({ SessionID: sid });
expectEq('Logout', 'second result', out2?.LogoutResult, false);
console.log('OK Logout');

let ended;
try {
  await client.SessionInfoAsync({ SessionID: sid });
} catch (err) {
  ended = err;
}
check(ended, 'SessionInfo after Logout', 'expected a SOAP fault, got a result');
const msg = faultText(ended);
check(msg !== null, 'SessionInfo after Logout', `expected a SOAP fault, got: ${ended.message}`);
check(msg.includes('SessionID'), 'SessionInfo after Logout', `fault message lacks 'SessionID': ${JSON.stringify(msg)}`);
console.log('OK SessionInfo after Logout');

console.log(`PASS node soap SOAP ${a.soap}`);
