{{/*
ElasticMQ, the SQS endpoint: every queue the services use is declared with its dead-letter
queue (<name>-dlq) and redrive policy. In memory: a restart starts empty. The `shoal-sqs`
Secret holds the (ignored but required by the AWS SDK) access keys.
*/}}
{{- if .Values.elasticmq.enabled }}
{{- $mq := .Values.elasticmq -}}
{{- $name := include "platform.name" (list . "elasticmq") -}}
{{- $keys := include "platform.name" (list . "sqs") -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ $keys }}
  labels:
    {{- include "platform.labels" (list . "elasticmq") | nindent 4 }}
type: Opaque
stringData:
  accessKeyId: {{ include "platform.credential" (list . $keys "accessKeyId" 20) | quote }}
  secretAccessKey: {{ include "platform.credential" (list . $keys "secretAccessKey" 40) | quote }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "elasticmq") | nindent 4 }}
data:
  elasticmq.conf: |
    include classpath("application.conf")
    node-address { protocol = http, host = {{ $name }}, port = 9324, context-path = "" }
    rest-sqs { enabled = true, bind-port = 9324, bind-hostname = "0.0.0.0", sqs-limits = strict }
    rest-stats { enabled = false }
    aws { region = us-east-1, accountId = 000000000000 }
    queues {
      {{- range $mq.queues }}
      "{{ . }}" {
        defaultVisibilityTimeout = {{ $mq.visibilityTimeoutSeconds }} seconds
        deadLettersQueue { name = "{{ . }}-dlq", maxReceiveCount = {{ $mq.maxReceiveCount }} }
      }
      "{{ . }}-dlq" { }
      {{- end }}
    }
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "elasticmq") | nindent 4 }}
spec:
  selector:
    {{- include "platform.selectorLabels" (list . "elasticmq") | nindent 4 }}
  ports:
    - { name: sqs, port: 9324, targetPort: sqs }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "elasticmq") | nindent 4 }}
spec:
  replicas: 1
  # In-memory queues: never two at once.
  strategy: { type: Recreate }
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" (list . "elasticmq") | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "platform.labels" (list . "elasticmq") | nindent 8 }}
      annotations:
        checksum/config: {{ $mq | toJson | sha256sum }}
    spec:
      automountServiceAccountToken: false
      securityContext:
        {{- include "platform.podSecurity" $mq.uid | nindent 8 }}
      containers:
        - name: elasticmq
          image: {{ $mq.image }}
          ports:
            - { name: sqs, containerPort: 9324 }
          readinessProbe:
            tcpSocket: { port: sqs }
            periodSeconds: 5
          livenessProbe:
            tcpSocket: { port: sqs }
            periodSeconds: 20
          resources:
            {{- toYaml $mq.resources | nindent 12 }}
          securityContext:
            {{- include "platform.containerSecurity" . | nindent 12 }}
          volumeMounts:
            # Where the native image reads its configuration from.
            - { name: config, mountPath: /opt/elasticmq.conf, subPath: elasticmq.conf, readOnly: true }
            - { name: tmp, mountPath: /tmp }
      volumes:
        - name: config
          configMap: { name: {{ $name }} }
        - { name: tmp, emptyDir: {} }
{{- end }}
