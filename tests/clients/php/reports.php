<?php
// Reports (SPEC-VAN 20) read by PHP's SoapClient from the deployed WSDL, endpoint pointed at
// edigrid: a .NET DataSet result arrives as `schema` and `any` (the diffgram's XML), which
// PHP integrators read with SimpleXML. Prints each row of ReportMailboxStats and of a one-day
// ReportTrafficStats as JSON, then PASS; FAIL and a reason otherwise.
//
//     php reports.php DEPLOYED-WSDL SOAP-ENDPOINT API-KEY ISO-TIME

if ($argc != 5) {
    fwrite(STDERR, "usage: php reports.php WSDL ENDPOINT KEY TIME\n");
    exit(2);
}
[$_, $wsdl, $endpoint, $key, $now] = $argv;

function rows($result, $name) {
    if (!isset($result->any)) {
        echo "FAIL $name: no DataSet (schema and any) in the result\n";
        exit(1);
    }
    $xml = simplexml_load_string('<r>' . $result->any . '</r>');
    if ($xml === false) {
        echo "FAIL $name: the diffgram is not XML\n";
        exit(1);
    }
    $xml->registerXPathNamespace('diffgr', 'urn:schemas-microsoft-com:xml-diffgram-v1');
    $out = [];
    foreach ($xml->xpath('//NewDataSet/Table') as $row) {
        $cells = [];
        foreach ($row->children() as $cell) {
            $cells[$cell->getName()] = (string) $cell;
        }
        $out[] = $cells;
    }
    return $out;
}

try {
    $client = new SoapClient($wsdl, [
        'location' => $endpoint,
        'soap_version' => SOAP_1_1,
        'exceptions' => true,
        'cache_wsdl' => WSDL_CACHE_NONE,
    ]);
    $mailboxes = $client->ReportMailboxStats(['SessionID' => $key])->ReportMailboxStatsResult;
    echo 'MAILBOXES ' . json_encode(rows($mailboxes, 'ReportMailboxStats')) . "\n";
    $traffic = $client->ReportTrafficStats([
        'SessionID' => $key, 'TargetTime' => $now, 'NumPeriods' => 1, 'Period' => 'Day',
    ])->ReportTrafficStatsResult;
    echo 'TRAFFIC ' . json_encode(rows($traffic, 'ReportTrafficStats')) . "\n";
} catch (SoapFault $f) {
    echo 'FAIL fault: ' . $f->getMessage() . "\n";
    exit(1);
}
echo "PASS php reports\n";
