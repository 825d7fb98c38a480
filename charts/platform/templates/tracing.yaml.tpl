{{/*
Traces: services send OTLP/HTTP to the OpenTelemetry Collector (shoal-otel-collector:4318),
which batches them into Jaeger v2 (in-memory; UI on port 16686, jaeger.<host>).
*/}}
{{- if .Values.otelCollector.enabled }}
{{- $otel := .Values.otelCollector -}}
{{- $name := include "platform.name" (list . "otel-collector") -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "otel-collector") | nindent 4 }}
data:
  config.yaml: |
    receivers:
      otlp:
        protocols:
          grpc: { endpoint: 0.0.0.0:4317 }
          http: { endpoint: 0.0.0.0:4318 }
    processors:
      memory_limiter: { check_interval: 1s, limit_percentage: 80, spike_limit_percentage: 20 }
      batch: {}
    exporters:
      {{- if .Values.jaeger.enabled }}
      otlp/jaeger:
        endpoint: {{ include "platform.name" (list . "jaeger") }}:4317
        tls: { insecure: true }
      {{- else }}
      debug: { verbosity: basic }
      {{- end }}
    extensions:
      {{ $otel.healthExtension | default "health_check" }}: { endpoint: 0.0.0.0:13133 }
    service:
      extensions: [{{ $otel.healthExtension | default "health_check" }}]
      pipelines:
        traces:
          receivers: [otlp]
          processors: [memory_limiter, batch]
          exporters: [{{ ternary "otlp/jaeger" "debug" .Values.jaeger.enabled }}]
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "otel-collector") | nindent 4 }}
spec:
  selector:
    {{- include "platform.selectorLabels" (list . "otel-collector") | nindent 4 }}
  ports:
    - { name: otlp-grpc, port: 4317, targetPort: otlp-grpc }
    - { name: otlp-http, port: 4318, targetPort: otlp-http }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "otel-collector") | nindent 4 }}
spec:
  replicas: 1
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" (list . "otel-collector") | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "platform.labels" (list . "otel-collector") | nindent 8 }}
      annotations:
        checksum/config: {{ list $otel .Values.jaeger.enabled | toJson | sha256sum }}
    spec:
      automountServiceAccountToken: false
      securityContext:
        {{- include "platform.podSecurity" $otel.uid | nindent 8 }}
      containers:
        - name: otel-collector
          image: {{ $otel.image }}
          args: [--config=/etc/otelcol/config.yaml]
          ports:
            - { name: otlp-grpc, containerPort: 4317 }
            - { name: otlp-http, containerPort: 4318 }
            - { name: health, containerPort: 13133 }
          readinessProbe:
            httpGet: { path: /, port: health }
          livenessProbe:
            httpGet: { path: /, port: health }
          resources:
            {{- toYaml $otel.resources | nindent 12 }}
          securityContext:
            {{- include "platform.containerSecurity" . | nindent 12 }}
          volumeMounts:
            - { name: config, mountPath: /etc/otelcol, readOnly: true }
      volumes:
        - name: config
          configMap: { name: {{ $name }} }
{{- end }}
{{- if .Values.jaeger.enabled }}
{{- $jaeger := .Values.jaeger -}}
{{- $name := include "platform.name" (list . "jaeger") }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "jaeger") | nindent 4 }}
spec:
  selector:
    {{- include "platform.selectorLabels" (list . "jaeger") | nindent 4 }}
  ports:
    - { name: otlp-grpc, port: 4317, targetPort: otlp-grpc }
    - { name: ui, port: 16686, targetPort: ui }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "jaeger") | nindent 4 }}
spec:
  replicas: 1
  # In-memory storage: one instance.
  strategy: { type: Recreate }
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" (list . "jaeger") | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "platform.labels" (list . "jaeger") | nindent 8 }}
    spec:
      automountServiceAccountToken: false
      securityContext:
        {{- include "platform.podSecurity" $jaeger.uid | nindent 8 }}
      containers:
        - name: jaeger
          # No --config: Jaeger v2's built-in all-in-one (OTLP in, memory storage, query UI).
          image: {{ $jaeger.image }}
          ports:
            - { name: otlp-grpc, containerPort: 4317 }
            - { name: ui, containerPort: 16686 }
          readinessProbe:
            httpGet: { path: /, port: ui }
          livenessProbe:
            tcpSocket: { port: ui }
            periodSeconds: 20
          resources:
            {{- toYaml $jaeger.resources | nindent 12 }}
          securityContext:
            {{- include "platform.containerSecurity" . | nindent 12 }}
          volumeMounts:
            - { name: tmp, mountPath: /tmp }
      volumes:
        - { name: tmp, emptyDir: {} }
{{- if $jaeger.ingress }}
---
{{ include "platform.uiIngress" (list . "jaeger" "jaeger" 16686) }}
{{- end }}
{{- end }}
