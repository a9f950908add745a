package ui

import (
	"html/template"
	"net/http"
)

var indexTmpl = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CLP</title>
<style>body{font:15px system-ui,sans-serif;margin:3rem auto;max-width:44rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{padding:.4rem .6rem;border-bottom:1px solid #ddd;text-align:left}
.bad{color:#b00}</style></head><body>
<h1>CLP</h1>
{{range .Problems}}<p class="bad">{{.}}</p>{{end}}
<table><tr><th>Service</th><th>Listens on</th><th>Active config</th><th>Requests</th></tr>
{{range .Services}}<tr><td>{{.Name}}</td><td>{{.Addr}}</td><td>{{if .Active}}{{.Active}}{{else}}<span class="bad">none</span>{{end}}</td><td>{{.Requests}}</td></tr>{{end}}
</table></body></html>`))

func (s *server) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	indexTmpl.Execute(w, s.b.Status())
}
