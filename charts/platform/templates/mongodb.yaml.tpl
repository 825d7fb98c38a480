{{/*
MongoDB: a StatefulSet with a volume, a root user from a generated Secret, and one
database + user per service (readWrite on its own database only), made by an init script
at first start. Each service's connection URL is in its own Secret.
flavor: ferretdb swaps in FerretDB v1 (the MongoDB wire protocol on SQLite files in the same
volume) for clusters that cannot pull mongo: configured by FERRETDB_* variables, its users
listed in SHOAL_FERRETDB_USERS for the image's entrypoint to create (FerretDB has no init
scripts or mongosh), probed with `ferretdb ping`. FerretDB v1 has no roles: a service's user
signs in and can then reach every database. With ferretdb.auth false there are no users and
the URLs carry no credentials.
*/}}
{{- if .Values.mongodb.enabled }}
{{- $mongo := .Values.mongodb -}}
{{- $name := include "platform.name" (list . "mongodb") -}}
{{- $root := include "platform.credential" (list . $name "password" 32) -}}
{{- $ferret := eq ($mongo.flavor | default "mongodb") "ferretdb" -}}
{{- $auth := or (not $ferret) (dig "ferretdb" "auth" true $mongo) -}}
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
  {{- if $auth }}
  url: {{ printf "mongodb://%s:%s@%s:27017/%s?authSource=%s" .service $password $name .database .database | quote }}
  {{- else }}
  # No user to sign in as: FerretDB without authentication.
  url: {{ printf "mongodb://%s:27017/%s" $name .database | quote }}
  {{- end }}
{{- end }}
{{- if not $ferret }}
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
            {{- if $ferret }}
            # SQLite files in the volume, every address, no telemetry, no debug listener (it
            # would serve pprof and a dump of the process to any pod).
            - { name: FERRETDB_HANDLER, value: sqlite }
            - { name: FERRETDB_SQLITE_URL, value: 'file:/data/db/' }
            - { name: FERRETDB_STATE_DIR, value: /data/db }
            - { name: FERRETDB_LISTEN_ADDR, value: ':27017' }
            - { name: FERRETDB_TELEMETRY, value: disable }
            - { name: DO_NOT_TRACK, value: '1' }
            - { name: FERRETDB_DEBUG_ADDR, value: '-' }
            {{- if $auth }}
            # SCRAM sign-in (FerretDB v1's "new authentication"); the root user is made by
            # FerretDB on an empty volume, the services' users by the image's entrypoint.
            - { name: FERRETDB_TEST_ENABLE_NEW_AUTH, value: 'true' }
            - { name: FERRETDB_SETUP_DATABASE, value: admin }
            - { name: FERRETDB_SETUP_USERNAME, value: root }
            - name: FERRETDB_SETUP_PASSWORD
              valueFrom: { secretKeyRef: { name: {{ $name }}, key: password } }
            {{- $users := list }}
            {{- range $mongo.databases }}
            {{- $users = append $users (dict "user" .service "db" .database "passwordEnv" (printf "DB_PASSWORD_%s" (upper .service | replace "-" "_"))) }}
            {{- end }}
            - name: SHOAL_FERRETDB_USERS
              value: {{ $users | toJson | quote }}
            {{- end }}
            {{- else }}
            - { name: MONGO_INITDB_ROOT_USERNAME, value: root }
            - name: MONGO_INITDB_ROOT_PASSWORD
              valueFrom: { secretKeyRef: { name: {{ $name }}, key: password } }
            {{- end }}
            {{- if $auth }}
            {{- range $mongo.databases }}
            - name: DB_PASSWORD_{{ upper .service | replace "-" "_" }}
              valueFrom: { secretKeyRef: { name: {{ include "platform.name" (list $ (printf "%s-mongodb" .service)) }}, key: password } }
            {{- end }}
            {{- end }}
          ports:
            - { name: mongodb, containerPort: 27017 }
          readinessProbe:
            {{- if and $ferret $auth }}
            # Signs in as the setup user (FERRETDB_SETUP_*) and pings, as mongosh does for mongo.
            exec: { command: [/ferretdb, ping] }
            {{- else if $ferret }}
            tcpSocket: { port: mongodb }
            {{- else }}
            exec: { command: [mongosh, --quiet, --eval, "db.adminCommand('ping').ok"] }
            {{- end }}
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
            {{- if $ferret }}
            - { name: tmp, mountPath: /tmp }
            {{- else }}
            - { name: configdb, mountPath: /data/configdb }
            - { name: tmp, mountPath: /tmp }
            - { name: init, mountPath: /docker-entrypoint-initdb.d, readOnly: true }
            {{- end }}
      volumes:
        {{- if not $ferret }}
        - { name: configdb, emptyDir: {} }
        {{- end }}
        - { name: tmp, emptyDir: {} }
        {{- if not $ferret }}
        - name: init
          configMap: { name: {{ $name }}-init }
        {{- end }}
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
