{{/*
The gateway only (ingressController.enabled): our IngressClass and the RBAC to serve it:
list/watch Ingresses and IngressClasses, write Ingress status. Cluster-wide by default, one
namespace with watchNamespace (then the IngressClass read stays cluster-wide: it is not
namespaced).
*/}}
{{- define "shoal-service.ingresscontroller" -}}
{{- if .Values.ingressController.enabled -}}
{{- $ic := .Values.ingressController -}}
{{- $fullname := include "shoal-service.fullname" . -}}
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: {{ $ic.className }}
  labels:
    {{- include "shoal-service.labels" . | nindent 4 }}
  {{- if $ic.default }}
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
  {{- end }}
spec:
  controller: {{ $ic.controller }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ $fullname }}-{{ .Release.Namespace }}-ingressclasses
  labels:
    {{- include "shoal-service.labels" . | nindent 4 }}
rules:
  - apiGroups: [networking.k8s.io]
    resources: [ingressclasses]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ $fullname }}-{{ .Release.Namespace }}-ingressclasses
  labels:
    {{- include "shoal-service.labels" . | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ $fullname }}-{{ .Release.Namespace }}-ingressclasses
subjects:
  - kind: ServiceAccount
    name: {{ include "shoal-service.serviceAccountName" . }}
    namespace: {{ .Release.Namespace }}
---
{{- $scope := ternary "Role" "ClusterRole" (ne $ic.watchNamespace "") }}
apiVersion: rbac.authorization.k8s.io/v1
kind: {{ $scope }}
metadata:
  name: {{ $fullname }}-{{ .Release.Namespace }}-ingresses
  {{- if $ic.watchNamespace }}
  namespace: {{ $ic.watchNamespace }}
  {{- end }}
  labels:
    {{- include "shoal-service.labels" . | nindent 4 }}
rules:
  - apiGroups: [networking.k8s.io]
    resources: [ingresses]
    verbs: [get, list, watch]
  - apiGroups: [networking.k8s.io]
    resources: [ingresses/status]
    verbs: [get, update, patch]
  # Ready endpoints per Service: a route whose Service has none is answered 503 at the edge.
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: {{ $scope }}Binding
metadata:
  name: {{ $fullname }}-{{ .Release.Namespace }}-ingresses
  {{- if $ic.watchNamespace }}
  namespace: {{ $ic.watchNamespace }}
  {{- end }}
  labels:
    {{- include "shoal-service.labels" . | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: {{ $scope }}
  name: {{ $fullname }}-{{ .Release.Namespace }}-ingresses
subjects:
  - kind: ServiceAccount
    name: {{ include "shoal-service.serviceAccountName" . }}
    namespace: {{ .Release.Namespace }}
{{- end -}}
{{- end -}}
