{{/*
metrics-server: kind ships without it and HPAs need metrics.k8s.io. The upstream manifest
(components.yaml) with kind's flags: self-signed kubelet certificates, InternalIP addresses.
Cluster-scoped objects carry the namespace in their names, so two installs never collide.
*/}}
{{- if .Values.metricsServer.enabled }}
{{- $ms := .Values.metricsServer -}}
{{- $name := include "platform.name" (list . "metrics-server") -}}
{{- $cluster := printf "%s-%s" $name .Release.Namespace -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "metrics-server") | nindent 4 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ $cluster }}-aggregated-reader
  labels:
    {{- include "platform.labels" (list . "metrics-server") | nindent 4 }}
    rbac.authorization.k8s.io/aggregate-to-admin: "true"
    rbac.authorization.k8s.io/aggregate-to-edit: "true"
    rbac.authorization.k8s.io/aggregate-to-view: "true"
rules:
  - apiGroups: [metrics.k8s.io]
    resources: [pods, nodes]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ $cluster }}
  labels:
    {{- include "platform.labels" (list . "metrics-server") | nindent 4 }}
rules:
  - apiGroups: ['']
    resources: [nodes/metrics]
    verbs: [get]
  - apiGroups: ['']
    resources: [pods, nodes]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ $cluster }}
  labels:
    {{- include "platform.labels" (list . "metrics-server") | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ $cluster }}
subjects:
  - { kind: ServiceAccount, name: {{ $name }}, namespace: {{ .Release.Namespace }} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ $cluster }}-auth-delegator
  labels:
    {{- include "platform.labels" (list . "metrics-server") | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:auth-delegator
subjects:
  - { kind: ServiceAccount, name: {{ $name }}, namespace: {{ .Release.Namespace }} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $cluster }}-auth-reader
  namespace: kube-system
  labels:
    {{- include "platform.labels" (list . "metrics-server") | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: extension-apiserver-authentication-reader
subjects:
  - { kind: ServiceAccount, name: {{ $name }}, namespace: {{ .Release.Namespace }} }
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "metrics-server") | nindent 4 }}
spec:
  selector:
    {{- include "platform.selectorLabels" (list . "metrics-server") | nindent 4 }}
  ports:
    - { name: https, port: 443, targetPort: https }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "metrics-server") | nindent 4 }}
spec:
  replicas: 1
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" (list . "metrics-server") | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "platform.labels" (list . "metrics-server") | nindent 8 }}
    spec:
      serviceAccountName: {{ $name }}
      priorityClassName: system-cluster-critical
      securityContext:
        {{- include "platform.podSecurity" $ms.uid | nindent 8 }}
      containers:
        - name: metrics-server
          image: {{ $ms.image }}
          args:
            - --cert-dir=/tmp
            - --secure-port=10250
            - --kubelet-use-node-status-port
            {{- range $ms.args }}
            - {{ . }}
            {{- end }}
          ports:
            - { name: https, containerPort: 10250 }
          readinessProbe:
            httpGet: { path: /readyz, port: https, scheme: HTTPS }
            periodSeconds: 10
            initialDelaySeconds: 20
          livenessProbe:
            httpGet: { path: /livez, port: https, scheme: HTTPS }
            periodSeconds: 10
          resources:
            {{- toYaml $ms.resources | nindent 12 }}
          securityContext:
            {{- include "platform.containerSecurity" . | nindent 12 }}
          volumeMounts:
            - { name: tmp, mountPath: /tmp }
      volumes:
        - { name: tmp, emptyDir: {} }
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.metrics.k8s.io
  labels:
    {{- include "platform.labels" (list . "metrics-server") | nindent 4 }}
spec:
  group: metrics.k8s.io
  version: v1beta1
  service: { name: {{ $name }}, namespace: {{ .Release.Namespace }} }
  groupPriorityMinimum: 100
  versionPriority: 100
  insecureSkipTLSVerify: true
{{- end }}
