{{/*
Default deny for this app's pods, then what it needs: in from the gateway, named callers
and the metrics scraper; out to DNS, its own data stores, the SQS endpoint, the collector,
the apps it calls, and any extra CIDRs (a managed database, AWS SQS).
*/}}
{{- define "shoal-service.peers" -}}
{{- $root := index . 0 -}}
{{- $peer := index . 1 -}}
- podSelector:
    matchLabels:
      {{- toYaml $peer.podLabels | nindent 6 }}
  {{- if $peer.namespaceLabels }}
  namespaceSelector:
    matchLabels:
      {{- toYaml $peer.namespaceLabels | nindent 6 }}
  {{- else if $peer.anyNamespace }}
  namespaceSelector: {}
  {{- end }}
{{- end -}}

{{- define "shoal-service.networkpolicy" -}}
{{- if .Values.networkPolicy.enabled -}}
{{- $np := .Values.networkPolicy -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "shoal-service.fullname" . }}
  labels:
    {{- include "shoal-service.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "shoal-service.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    {{- if $np.ingressFromAnywhere }}
    - ports:
        - port: http
          protocol: TCP
    {{- end }}
    {{- $callers := $np.callers -}}
    {{- if $np.allowFromGateway }}{{ $callers = prepend $callers $np.gateway }}{{ end }}
    {{- range $callers }}
    - from:
        {{- include "shoal-service.peers" (list $ .) | nindent 8 }}
      ports:
        - port: http
          protocol: TCP
    {{- end }}
    {{- if .Values.tests.enabled }}
    - from:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ include "shoal-service.name" . }}-test
              app.kubernetes.io/instance: {{ .Release.Name }}
      ports:
        - port: {{ include "shoal-service.healthPortName" . }}
          protocol: TCP
    {{- end }}
    {{- with $np.metricsScraper }}
    {{- if .enabled }}
    - from:
        {{- include "shoal-service.peers" (list $ .) | nindent 8 }}
      ports:
        - port: {{ include "shoal-service.healthPortName" $ }}
          protocol: TCP
    {{- end }}
    {{- end }}
  egress:
    {{- with $np.dns }}
    - to:
        {{- include "shoal-service.peers" (list $ .) | nindent 8 }}
      ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    {{- end }}
    {{- range $np.egressTo }}
    - to:
        {{- include "shoal-service.peers" (list $ .) | nindent 8 }}
      ports:
        {{- range .ports }}
        - port: {{ . }}
          protocol: TCP
        {{- end }}
    {{- end }}
    {{- range $np.egressCIDRs }}
    - to:
        - ipBlock:
            cidr: {{ .cidr }}
      ports:
        {{- range .ports }}
        - port: {{ . }}
          protocol: TCP
        {{- end }}
    {{- end }}
{{- end -}}
{{- end -}}
