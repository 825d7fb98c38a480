{{/* An Ingress for a platform UI on <sub>.<host>, public on the local cluster. Args: (list $root part sub portNumber) */}}
{{- define "platform.uiIngress" -}}
{{- $root := index . 0 -}}
{{- $part := index . 1 -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "platform.name" (list $root $part) }}
  labels:
    {{- include "platform.labels" (list $root $part) | nindent 4 }}
  annotations:
    shoal.dev/auth: none
spec:
  ingressClassName: {{ $root.Values.ingressClassName }}
  rules:
    - host: {{ printf "%s.%s" (index . 2) $root.Values.host | quote }}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {{ include "platform.name" (list $root $part) }}
                port:
                  # A number: the shoal gateway does not resolve port names.
                  number: {{ index . 3 }}
{{- end -}}
