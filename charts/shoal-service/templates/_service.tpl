{{/* The Service: `http` to the app port, and `admin` (probes, /metrics) when the app has one. */}}
{{- define "shoal-service.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "shoal-service.fullname" . }}
  labels:
    {{- include "shoal-service.labels" . | nindent 4 }}
  {{- with .Values.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .Values.service.type }}
  selector:
    {{- include "shoal-service.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.service.port }}
      targetPort: http
      protocol: TCP
      {{- if and (eq .Values.service.type "NodePort") .Values.service.nodePort }}
      nodePort: {{ .Values.service.nodePort }}
      {{- end }}
    {{- if .Values.ports.admin }}
    - name: admin
      port: {{ .Values.ports.admin }}
      targetPort: admin
      protocol: TCP
    {{- end }}
{{- end -}}
