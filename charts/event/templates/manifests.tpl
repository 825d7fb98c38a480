{{- include "shoal-service.all" . -}}
