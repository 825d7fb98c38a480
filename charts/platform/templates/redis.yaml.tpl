{{/* Redis (auth's login throttles, the gateway's shared rate limits): password from a generated Secret, no persistence. */}}
{{- if .Values.redis.enabled }}
{{- $redis := .Values.redis -}}
{{- $name := include "platform.name" (list . "redis") -}}
{{- $password := include "platform.credential" (list . $name "password" 32) -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "redis") | nindent 4 }}
type: Opaque
stringData:
  password: {{ $password | quote }}
  url: {{ printf "redis://:%s@%s:6379" $password $name | quote }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "redis") | nindent 4 }}
spec:
  selector:
    {{- include "platform.selectorLabels" (list . "redis") | nindent 4 }}
  ports:
    - { name: redis, port: 6379, targetPort: redis }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "redis") | nindent 4 }}
spec:
  replicas: 1
  strategy: { type: Recreate }
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" (list . "redis") | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "platform.labels" (list . "redis") | nindent 8 }}
    spec:
      automountServiceAccountToken: false
      securityContext:
        {{- include "platform.podSecurity" $redis.uid | nindent 8 }}
      containers:
        - name: redis
          image: {{ $redis.image }}
          args: [--requirepass, $(REDIS_PASSWORD), --save, '', --appendonly, 'no']
          env:
            - name: REDIS_PASSWORD
              valueFrom: { secretKeyRef: { name: {{ $name }}, key: password } }
          ports:
            - { name: redis, containerPort: 6379 }
          readinessProbe:
            tcpSocket: { port: redis }
            periodSeconds: 5
          livenessProbe:
            tcpSocket: { port: redis }
            periodSeconds: 20
          resources:
            {{- toYaml $redis.resources | nindent 12 }}
          securityContext:
            {{- include "platform.containerSecurity" . | nindent 12 }}
          volumeMounts:
            - { name: data, mountPath: /data }
      volumes:
        - { name: data, emptyDir: {} }
{{- end }}
