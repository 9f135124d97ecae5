API=${EDIGRID_URL:-http://127.0.0.1:8080}/v2
TOKEN=$(jq -n --arg p "$EDIGRID_PASSWORD" '{login: "demo", password: $p}' |
  curl -sf "$API/auth/login" -H 'Content-Type: application/json' -d @- | jq -r .data.token)
[ -n "$TOKEN" ] || { echo "login failed: is EDIGRID_PASSWORD the one serve --demo printed?" >&2; exit 1; }
AUTH="Authorization: Bearer $TOKEN"

# Send the 850 to ZZ:EDIGRIDPARTNER; the answer is the new parcel's ParcelID.
curl -sf "$API/parcels/upload" -H "$AUTH" -F file=@tests/first_file/po.x12 | jq .data

# The partner answers within a second: wait for a parcel in your inbox.
for i in $(seq 20); do
  PARCEL=$(curl -sf "$API/parcels/inbox-list" -H "$AUTH" -H 'Content-Type: application/json' \
    -d '{}' | jq -r '.data[0].parcelId // empty')
  [ -n "$PARCEL" ] && break
  sleep 0.5
done
[ -n "$PARCEL" ] || { echo "nothing came back from the partner" >&2; exit 1; }

# Download it (the 997), then confirm the download so it leaves the inbox.
curl -sf "$API/parcels/download" -H "$AUTH" -H 'Content-Type: application/json' \
  -d "{\"parcelId\": $PARCEL}" | jq -r .data.content | base64 -d
curl -sf "$API/parcels/confirm" -H "$AUTH" -H 'Content-Type: application/json' \
  -d "{\"parcelId\": $PARCEL}" | jq .data
