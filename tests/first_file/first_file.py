import os, time
from zeep import Client

url = os.environ.get("EDIGRID_URL", "http://127.0.0.1:8080")
client = Client(url + "/v4.1/prod/ECGridOS.asmx?WSDL")
sid = client.service.Login(UserName="demo", Password=os.environ["EDIGRID_PASSWORD"])

po = open("tests/first_file/po.x12", "rb").read()        # an 850 from ZZ:EDIGRIDDEMO to ZZ:EDIGRIDPARTNER
sent = client.service.ParcelUpload(SessionID=sid, FileName="po.x12", Bytes=len(po), Content=po)
print("sent parcel", sent)

inbox = []
for _ in range(20):                                       # the partner answers within a second
    inbox = client.service.ParcelInBox(SessionID=sid, NetworkID=0, MailboxID=0) or []
    if inbox:
        break
    time.sleep(0.5)
if not inbox:
    raise SystemExit("nothing came back from the partner")
ack = inbox[0]
print("received parcel", ack.ParcelID, ack.FileName)
print(client.service.ParcelDownload(SessionID=sid, ParcelID=ack.ParcelID).decode())
client.service.ParcelDownloadConfirm(SessionID=sid, ParcelID=ack.ParcelID)
client.service.Logout(SessionID=sid)
