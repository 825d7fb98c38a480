{{/*
PostgreSQL: a StatefulSet with a volume, a superuser from a generated Secret, and one
database + role per service (created by an init script at first start, each role owning
only its database). Each service's connection URL is in its own Secret.
*/}}
{{- if .Values.postgresql.enabled }}
{{- $pg := .Values.postgresql -}}
{{- $name := include "platform.name" (list . "postgresql") -}}
{{- $admin := include "platform.credential" (list . $name "password" 32) -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "postgresql") | nindent 4 }}
type: Opaque
stringData:
  username: postgres
  password: {{ $admin | quote }}
{{- range $pg.databases }}
{{- $secret := include "platform.name" (list $ (printf "%s-postgresql" .)) }}
{{- $password := include "platform.credential" (list $ $secret "password" 32) }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ $secret }}
  labels:
    {{- include "platform.labels" (list $ "postgresql") | nindent 4 }}
    shoal.dev/database-for: {{ . }}
type: Opaque
stringData:
  username: {{ . | quote }}
  password: {{ $password | quote }}
  database: {{ . | quote }}
  url: {{ printf "postgres://%s:%s@%s:5432/%s" . $password $name . | quote }}
{{- end }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $name }}-init
  labels:
    {{- include "platform.labels" (list . "postgresql") | nindent 4 }}
data:
  # Runs once, on an empty data directory (the image's /docker-entrypoint-initdb.d).
  10-service-databases.sh: |
    #!/bin/bash
    set -euo pipefail
    {{- range $pg.databases }}
    {{- $var := printf "DB_PASSWORD_%s" (upper . | replace "-" "_") }}
    psql -v ON_ERROR_STOP=1 --username postgres -v pw="${{ $var }}" <<'SQL'
    CREATE ROLE "{{ . }}" LOGIN PASSWORD :'pw';
    CREATE DATABASE "{{ . }}" OWNER "{{ . }}";
    REVOKE ALL ON DATABASE "{{ . }}" FROM PUBLIC;
    SQL
    {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "postgresql") | nindent 4 }}
spec:
  selector:
    {{- include "platform.selectorLabels" (list . "postgresql") | nindent 4 }}
  ports:
    - { name: postgresql, port: 5432, targetPort: postgresql }
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform.labels" (list . "postgresql") | nindent 4 }}
spec:
  serviceName: {{ $name }}
  replicas: 1
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" (list . "postgresql") | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "platform.labels" (list . "postgresql") | nindent 8 }}
    spec:
      automountServiceAccountToken: false
      securityContext:
        {{- include "platform.podSecurity" $pg.uid | nindent 8 }}
      containers:
        - name: postgresql
          image: {{ $pg.image }}
          env:
            - { name: PGDATA, value: /var/lib/postgresql/data/pgdata }
            - name: POSTGRES_PASSWORD
              valueFrom: { secretKeyRef: { name: {{ $name }}, key: password } }
            {{- range $pg.databases }}
            - name: DB_PASSWORD_{{ upper . | replace "-" "_" }}
              valueFrom: { secretKeyRef: { name: {{ include "platform.name" (list $ (printf "%s-postgresql" .)) }}, key: password } }
            {{- end }}
          ports:
            - { name: postgresql, containerPort: 5432 }
          readinessProbe:
            exec: { command: [pg_isready, -U, postgres, -h, 127.0.0.1] }
            periodSeconds: 5
          livenessProbe:
            exec: { command: [pg_isready, -U, postgres, -h, 127.0.0.1] }
            periodSeconds: 20
            failureThreshold: 6
          resources:
            {{- toYaml $pg.resources | nindent 12 }}
          securityContext:
            {{- include "platform.containerSecurity" . | nindent 12 }}
          volumeMounts:
            - { name: data, mountPath: /var/lib/postgresql/data }
            - { name: run, mountPath: /var/run/postgresql }
            - { name: tmp, mountPath: /tmp }
            - { name: init, mountPath: /docker-entrypoint-initdb.d, readOnly: true }
      volumes:
        - { name: run, emptyDir: {} }
        - { name: tmp, emptyDir: {} }
        - name: init
          # 365 = 0555 (r-x for all): the entrypoint runs the scripts; decimal reads the same in every YAML version.
          configMap: { name: {{ $name }}-init, defaultMode: 365 }
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        {{- with $pg.storageClassName }}
        storageClassName: {{ . }}
        {{- end }}
        resources:
          requests:
            storage: {{ $pg.storage }}
{{- end }}
