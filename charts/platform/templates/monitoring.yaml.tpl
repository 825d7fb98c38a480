{{/*
Optional monitoring: Prometheus scrapes every pod of this namespace annotated
prometheus.io/scrape (the service charts annotate theirs, port and path included), and
Grafana shows the provisioned Shoal dashboard (dashboards/shoal-services.json).
*/}}
{{- if .Values.prometheus.enabled }}
{{- $prom := .Values.prometheus -}}
{{- $name := include "platform.name" (list . "prometheus") -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "prometheus") | nindent 4 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "prometheus") | nindent 4 }}
rules:
  - apiGroups: ['']
    resources: [pods, services, endpoints]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "prometheus") | nindent 4 }}
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: {{ $name }} }
subjects:
  - { kind: ServiceAccount, name: {{ $name }}, namespace: {{ .Release.Namespace }} }
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "prometheus") | nindent 4 }}
data:
  prometheus.yml: |
    global: { scrape_interval: 15s, evaluation_interval: 15s }
    scrape_configs:
      - job_name: shoal-pods
        kubernetes_sd_configs:
          - role: pod
            namespaces: { names: [{{ .Release.Namespace | quote }}] }
        relabel_configs:
          - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
            regex: 'true'
            action: keep
          - source_labels: [__meta_kubernetes_pod_phase]
            regex: Running
            action: keep
          - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path]
            regex: (.+)
            target_label: __metrics_path__
          - source_labels: [__meta_kubernetes_pod_ip, __meta_kubernetes_pod_annotation_prometheus_io_port]
            regex: (.+);(\d+)
            replacement: $1:$2
            target_label: __address__
          - source_labels: [__meta_kubernetes_pod_label_app_kubernetes_io_name]
            target_label: app
          - source_labels: [__meta_kubernetes_pod_name]
            target_label: pod
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "prometheus") | nindent 4 }}
spec:
  selector:
    {{- include "platform.selectorLabels" (list . "prometheus") | nindent 4 }}
  ports:
    - { name: http, port: 9090, targetPort: http }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "prometheus") | nindent 4 }}
spec:
  replicas: 1
  strategy: { type: Recreate }
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" (list . "prometheus") | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "platform.labels" (list . "prometheus") | nindent 8 }}
      annotations:
        checksum/config: {{ .Release.Namespace | sha256sum }}
    spec:
      serviceAccountName: {{ $name }}
      securityContext:
        {{- include "platform.podSecurity" $prom.uid | nindent 8 }}
      containers:
        - name: prometheus
          image: {{ $prom.image }}
          args:
            - --config.file=/etc/prometheus/prometheus.yml
            - --storage.tsdb.path=/prometheus
            - --storage.tsdb.retention.time={{ $prom.retention }}
          ports:
            - { name: http, containerPort: 9090 }
          readinessProbe:
            httpGet: { path: /-/ready, port: http }
          livenessProbe:
            httpGet: { path: /-/healthy, port: http }
            periodSeconds: 20
          resources:
            {{- toYaml $prom.resources | nindent 12 }}
          securityContext:
            {{- include "platform.containerSecurity" . | nindent 12 }}
          volumeMounts:
            - { name: config, mountPath: /etc/prometheus, readOnly: true }
            - { name: data, mountPath: /prometheus }
      volumes:
        - name: config
          configMap: { name: {{ $name }} }
        - { name: data, emptyDir: {} }
{{- end }}
{{- if .Values.grafana.enabled }}
{{- if not .Values.prometheus.enabled }}
{{- fail "grafana.enabled needs prometheus.enabled: the dashboard reads Prometheus" }}
{{- end }}
{{- $grafana := .Values.grafana -}}
{{- $name := include "platform.name" (list . "grafana") }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "grafana") | nindent 4 }}
type: Opaque
stringData:
  admin-user: admin
  admin-password: {{ include "platform.credential" (list . $name "admin-password" 24) | quote }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "grafana") | nindent 4 }}
data:
  datasources.yaml: |
    apiVersion: 1
    datasources:
      - name: Prometheus
        uid: prometheus
        type: prometheus
        access: proxy
        url: http://{{ include "platform.name" (list . "prometheus") }}:9090
        isDefault: true
  dashboards.yaml: |
    apiVersion: 1
    providers:
      - name: shoal
        folder: Shoal
        type: file
        options: { path: /var/lib/grafana/dashboards }
  shoal-services.json: |
    {{- .Files.Get "dashboards/shoal-services.json" | nindent 4 }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "grafana") | nindent 4 }}
spec:
  selector:
    {{- include "platform.selectorLabels" (list . "grafana") | nindent 4 }}
  ports:
    - { name: ui, port: 3000, targetPort: ui }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "grafana") | nindent 4 }}
spec:
  replicas: 1
  strategy: { type: Recreate }
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" (list . "grafana") | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "platform.labels" (list . "grafana") | nindent 8 }}
      annotations:
        checksum/dashboard: {{ .Files.Get "dashboards/shoal-services.json" | sha256sum }}
    spec:
      automountServiceAccountToken: false
      securityContext:
        {{- include "platform.podSecurity" $grafana.uid | nindent 8 }}
      containers:
        - name: grafana
          image: {{ $grafana.image }}
          env:
            - name: GF_SECURITY_ADMIN_USER
              valueFrom: { secretKeyRef: { name: {{ $name }}, key: admin-user } }
            - name: GF_SECURITY_ADMIN_PASSWORD
              valueFrom: { secretKeyRef: { name: {{ $name }}, key: admin-password } }
            - { name: GF_PATHS_DATA, value: /var/lib/grafana/data }
            - { name: GF_ANALYTICS_REPORTING_ENABLED, value: 'false' }
            - { name: GF_ANALYTICS_CHECK_FOR_UPDATES, value: 'false' }
          ports:
            - { name: ui, containerPort: 3000 }
          readinessProbe:
            httpGet: { path: /api/health, port: ui }
          livenessProbe:
            httpGet: { path: /api/health, port: ui }
            periodSeconds: 20
          resources:
            {{- toYaml $grafana.resources | nindent 12 }}
          securityContext:
            {{- include "platform.containerSecurity" . | nindent 12 }}
          volumeMounts:
            - { name: data, mountPath: /var/lib/grafana/data }
            - { name: tmp, mountPath: /tmp }
            - { name: provisioning, mountPath: /etc/grafana/provisioning/datasources/datasources.yaml, subPath: datasources.yaml, readOnly: true }
            - { name: provisioning, mountPath: /etc/grafana/provisioning/dashboards/dashboards.yaml, subPath: dashboards.yaml, readOnly: true }
            - { name: provisioning, mountPath: /var/lib/grafana/dashboards/shoal-services.json, subPath: shoal-services.json, readOnly: true }
      volumes:
        - name: provisioning
          configMap: { name: {{ $name }} }
        - { name: data, emptyDir: {} }
        - { name: tmp, emptyDir: {} }
{{- if $grafana.ingress }}
---
{{ include "platform.uiIngress" (list . "grafana" "grafana" 3000) }}
{{- end }}
{{- end }}
