-- wrk script: POSTs a small JSON body (the path comes from the URL).
wrk.method = "POST"
wrk.body = '{"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}'
wrk.headers["Content-Type"] = "application/json"
