{{/*
A NetworkPolicy per data store: in on its port only from the pods that use it (their labels,
in this namespace: <part>.networkPolicy.clients); every other pod, here or elsewhere, is
refused. The kubelet's probes come from the node, which policies do not restrict.
*/}}
{{- $stores := list (list "postgresql" 5432) (list "mongodb" 27017) (list "redis" 6379) (list "elasticmq" 9324) -}}
{{- range $stores }}
{{- $part := index . 0 -}}
{{- $port := index . 1 -}}
{{- $values := index $.Values $part -}}
{{- $np := $values.networkPolicy | default dict -}}
{{- if and $values.enabled (dig "enabled" true $np) }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "platform.name" (list $ $part) }}
  labels:
    {{- include "platform.labels" (list $ $part) | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "platform.selectorLabels" (list $ $part) | nindent 6 }}
  policyTypes: [Ingress]
  ingress:
    {{- with $np.clients }}
    - from:
        {{- range . }}
        - podSelector:
            matchLabels:
              {{- toYaml . | nindent 14 }}
        {{- end }}
      ports:
        - port: {{ $port }}
          protocol: TCP
    {{- else }} []
    {{- end }}
{{- end }}
{{- end }}
