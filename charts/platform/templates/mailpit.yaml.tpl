{{/* Mailpit: the SMTP sink notification sends to (shoal-mailpit:1025), its UI on 8025 (mail.<host>). */}}
{{- if .Values.mailpit.enabled }}
{{- $mail := .Values.mailpit -}}
{{- $name := include "platform.name" (list . "mailpit") -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "mailpit") | nindent 4 }}
spec:
  selector:
    {{- include "platform.selectorLabels" (list . "mailpit") | nindent 4 }}
  ports:
    - { name: smtp, port: 1025, targetPort: smtp }
    - { name: ui, port: 8025, targetPort: ui }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "mailpit") | nindent 4 }}
spec:
  replicas: 1
  strategy: { type: Recreate }
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" (list . "mailpit") | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "platform.labels" (list . "mailpit") | nindent 8 }}
    spec:
      automountServiceAccountToken: false
      securityContext:
        {{- include "platform.podSecurity" $mail.uid | nindent 8 }}
      containers:
        - name: mailpit
          image: {{ $mail.image }}
          env:
            - { name: MP_DATABASE, value: /data/mailpit.db }
            - { name: MP_MAX_MESSAGES, value: '5000' }
          ports:
            - { name: smtp, containerPort: 1025 }
            - { name: ui, containerPort: 8025 }
          readinessProbe:
            httpGet: { path: /readyz, port: ui }
          livenessProbe:
            httpGet: { path: /livez, port: ui }
            periodSeconds: 20
          resources:
            {{- toYaml $mail.resources | nindent 12 }}
          securityContext:
            {{- include "platform.containerSecurity" . | nindent 12 }}
          volumeMounts:
            - { name: data, mountPath: /data }
            - { name: tmp, mountPath: /tmp }
      volumes:
        - { name: data, emptyDir: {} }
        - { name: tmp, emptyDir: {} }
{{- if $mail.ingress }}
---
{{ include "platform.uiIngress" (list . "mailpit" "mail" 8025) }}
{{- end }}
{{- end }}
