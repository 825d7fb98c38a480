{{/*
MongoDB: a StatefulSet with a volume, a root user from a generated Secret, and one
database + user per service (readWrite on its own database only), made by an init script
at first start. Each service's connection URL is in its own Secret.
*/}}
{{- if .Values.mongodb.enabled }}
{{- $mongo := .Values.mongodb -}}
{{- $name := include "platform.name" (list . "mongodb") -}}
{{- $root := include "platform.credential" (list . $name "password" 32) -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "mongodb") | nindent 4 }}
type: Opaque
stringData:
  username: root
  password: {{ $root | quote }}
{{- range $mongo.databases }}
{{- $secret := include "platform.name" (list $ (printf "%s-mongodb" .service)) }}
{{- $password := include "platform.credential" (list $ $secret "password" 32) }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ $secret }}
  labels:
    {{- include "platform.labels" (list $ "mongodb") | nindent 4 }}
    shoal.dev/database-for: {{ .service }}
type: Opaque
stringData:
  username: {{ .service | quote }}
  password: {{ $password | quote }}
  database: {{ .database | quote }}
  url: {{ printf "mongodb://%s:%s@%s:27017/%s?authSource=%s" .service $password $name .database .database | quote }}
{{- end }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $name }}-init
  labels:
    {{- include "platform.labels" (list . "mongodb") | nindent 4 }}
data:
  # Runs once, on an empty data directory (the image's /docker-entrypoint-initdb.d, mongosh).
  10-service-users.js: |
    {{- range $mongo.databases }}
    db.getSiblingDB({{ .database | quote }}).createUser({
      user: {{ .service | quote }},
      pwd: process.env.DB_PASSWORD_{{ upper .service | replace "-" "_" }},
      roles: [{ role: 'readWrite', db: {{ .database | quote }} }],
    });
    {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "mongodb") | nindent 4 }}
spec:
  selector:
    {{- include "platform.selectorLabels" (list . "mongodb") | nindent 4 }}
  ports:
    - { name: mongodb, port: 27017, targetPort: mongodb }
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "mongodb") | nindent 4 }}
spec:
  serviceName: {{ $name }}
  replicas: 1
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" (list . "mongodb") | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "platform.labels" (list . "mongodb") | nindent 8 }}
    spec:
      automountServiceAccountToken: false
      securityContext:
        {{- include "platform.podSecurity" $mongo.uid | nindent 8 }}
      containers:
        - name: mongodb
          image: {{ $mongo.image }}
          env:
            - { name: MONGO_INITDB_ROOT_USERNAME, value: root }
            - name: MONGO_INITDB_ROOT_PASSWORD
              valueFrom: { secretKeyRef: { name: {{ $name }}, key: password } }
            {{- range $mongo.databases }}
            - name: DB_PASSWORD_{{ upper .service | replace "-" "_" }}
              valueFrom: { secretKeyRef: { name: {{ include "platform.name" (list $ (printf "%s-mongodb" .service)) }}, key: password } }
            {{- end }}
          ports:
            - { name: mongodb, containerPort: 27017 }
          readinessProbe:
            exec: { command: [mongosh, --quiet, --eval, "db.adminCommand('ping').ok"] }
            periodSeconds: 10
            timeoutSeconds: 5
          livenessProbe:
            tcpSocket: { port: mongodb }
            periodSeconds: 20
          resources:
            {{- toYaml $mongo.resources | nindent 12 }}
          securityContext:
            {{- include "platform.containerSecurity" . | nindent 12 }}
          volumeMounts:
            - { name: data, mountPath: /data/db }
            - { name: configdb, mountPath: /data/configdb }
            - { name: tmp, mountPath: /tmp }
            - { name: init, mountPath: /docker-entrypoint-initdb.d, readOnly: true }
      volumes:
        - { name: configdb, emptyDir: {} }
        - { name: tmp, emptyDir: {} }
        - name: init
          configMap: { name: {{ $name }}-init }
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        {{- with $mongo.storageClassName }}
        storageClassName: {{ . }}
        {{- end }}
        resources:
          requests:
            storage: {{ $mongo.storage }}
{{- end }}
