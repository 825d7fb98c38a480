{{/*
`helm test`: a pod from the service's own image (no extra image to pull) asks the Service
for /readyz through the cluster network, as the gateway would reach it.
*/}}
{{/* Not the app's selector labels: the Service must not send traffic to the test pod. */}}
{{- define "shoal-service.testLabels" -}}
app.kubernetes.io/name: {{ include "shoal-service.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: test
app.kubernetes.io/part-of: {{ .Values.global.partOf }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "shoal-service.chart" . }}
{{- end -}}

{{- define "shoal-service.test" -}}
{{- if .Values.tests.enabled -}}
{{- $fullname := include "shoal-service.fullname" . -}}
{{- $url := printf "http://%s:%v/readyz" $fullname (ternary .Values.ports.admin .Values.service.port (not (empty .Values.ports.admin))) -}}
apiVersion: v1
kind: Pod
metadata:
  name: {{ $fullname }}-test-readyz
  labels:
    {{- include "shoal-service.testLabels" . | nindent 4 }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    runAsUser: {{ .Values.securityContext.runAsUser }}
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: readyz
      image: {{ include "shoal-service.image" . | quote }}
      command:
        - node
        - -e
        - >-
          fetch({{ $url | quote }}, { signal: AbortSignal.timeout(5000) })
          .then((r) => { console.log('GET {{ $url }} ->', r.status); process.exit(r.ok ? 0 : 1); })
          .catch((e) => { console.error(e.message); process.exit(1); })
      resources:
        requests: { cpu: 10m, memory: 32Mi }
        limits: { memory: 64Mi }
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: [ALL]
{{- end -}}
{{- end -}}
