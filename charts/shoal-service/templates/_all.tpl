{{/* Every object of a service chart; a service chart's only template includes this. */}}
{{- define "shoal-service.all" -}}
{{- include "shoal-service.validate" . -}}
{{- $parts := list "serviceaccount" "ingresscontroller" "configmap" "secret" "deployment" "service" "hpa" "pdb" "ingress" "networkpolicy" "servicemonitor" "test" -}}
{{- range $parts }}
{{- $rendered := include (printf "shoal-service.%s" .) $ | trim -}}
{{- if $rendered }}
---
{{ $rendered }}
{{- end }}
{{- end }}
{{- end -}}
