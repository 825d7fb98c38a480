{{/*
A PodDisruptionBudget only when it can be honoured: with a single replica it would block
every node drain (maxUnavailable 0 of 1) or protect nothing.
*/}}
{{- define "shoal-service.pdb" -}}
{{- if and .Values.podDisruptionBudget.enabled (gt (int (include "shoal-service.minReplicas" .)) 1) -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "shoal-service.fullname" . }}
  labels:
    {{- include "shoal-service.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .Values.podDisruptionBudget.maxUnavailable }}
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "shoal-service.selectorLabels" . | nindent 6 }}
{{- end -}}
{{- end -}}
