{{/*
The service's own routes at the edge: `/api/<prefix>` on the platform host, class `shoal` by
default, with the gateway's per-route policy as `shoal.dev/*` annotations (other ingress
classes ignore them, so the chart still works behind any controller). `ingress.extraRoutes`
adds Ingresses for paths that need another policy (e.g. HMAC-signed webhooks without JWT).
*/}}
{{- define "shoal-service.ingressObject" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $paths := index . 2 -}}
{{- $policy := index . 3 -}}
{{- $host := $root.Values.ingress.host | default $root.Values.global.host -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ $name }}
  labels:
    {{- include "shoal-service.labels" $root | nindent 4 }}
  annotations:
    shoal.dev/auth: {{ $policy.auth | quote }}
    {{- with $policy.rateLimit }}
    shoal.dev/rate-limit: {{ . | quote }}
    {{- end }}
    {{- with $policy.timeout }}
    shoal.dev/timeout: {{ . | quote }}
    {{- end }}
    {{- with $policy.bodyLimit }}
    shoal.dev/body-limit: {{ . | quote }}
    {{- end }}
    {{- with $policy.corsOrigins }}
    shoal.dev/cors-origins: {{ . | quote }}
    {{- end }}
    {{- with $policy.passHeaders }}
    shoal.dev/pass-headers: {{ . | quote }}
    {{- end }}
    {{- with $root.Values.ingress.annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  ingressClassName: {{ $root.Values.ingress.className | default $root.Values.global.ingressClassName }}
  {{- if $root.Values.ingress.tls.enabled }}
  tls:
    - hosts: [{{ $host | quote }}]
      secretName: {{ $root.Values.ingress.tls.secretName | default (printf "%s-tls" (include "shoal-service.fullname" $root)) }}
  {{- end }}
  rules:
    - host: {{ $host | quote }}
      http:
        paths:
          {{- range $paths }}
          - path: {{ . }}
            pathType: {{ $root.Values.ingress.pathType }}
            backend:
              service:
                name: {{ include "shoal-service.fullname" $root }}
                port:
                  # A number, not the name: the shoal gateway resolves <service>.<ns>.svc:<port>.
                  number: {{ $root.Values.service.port }}
          {{- end }}
{{- end -}}

{{- define "shoal-service.ingress" -}}
{{- if .Values.ingress.enabled -}}
{{- $fullname := include "shoal-service.fullname" . -}}
{{- include "shoal-service.ingressObject" (list . $fullname .Values.ingress.paths .Values.ingress.policy) }}
{{- range .Values.ingress.extraRoutes }}
---
{{ include "shoal-service.ingressObject" (list $ (printf "%s-%s" $fullname .name) .paths (merge (deepCopy .policy) $.Values.ingress.policy)) }}
{{- end }}
{{- end -}}
{{- end -}}
