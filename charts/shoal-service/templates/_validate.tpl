{{/*
Rules the JSON schema cannot say (relations between values), failed with one clear line.
*/}}
{{- define "shoal-service.validate" -}}
{{- $v := .Values -}}
{{- if and $v.autoscaling.enabled (gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) -}}
{{- fail (printf "autoscaling.minReplicas (%v) is above autoscaling.maxReplicas (%v)" $v.autoscaling.minReplicas $v.autoscaling.maxReplicas) -}}
{{- end -}}
{{- if and $v.autoscaling.enabled (not $v.autoscaling.targetCPUUtilizationPercentage) (not $v.autoscaling.targetMemoryUtilizationPercentage) -}}
{{- fail "autoscaling is enabled without a target: set autoscaling.targetCPUUtilizationPercentage and/or targetMemoryUtilizationPercentage" -}}
{{- end -}}
{{- if and $v.autoscaling.enabled (not $v.resources.requests.cpu) -}}
{{- fail "autoscaling needs resources.requests.cpu: utilization is measured against it" -}}
{{- end -}}
{{- range $key, $value := $v.config -}}
{{- if regexMatch "(PASSWORD|SECRET|TOKEN|ENCRYPTION_KEY|CLIENTS|ACCESS_KEY)" $key -}}
{{- fail (printf "config.%s looks like a secret: put it in a Secret and reference it with secretEnv.%s: {secretName, key}" $key $key) -}}
{{- end -}}
{{- if regexMatch "^[a-z][a-z0-9+.-]*://[^/@\\s]+:[^/@\\s]+@" (toString $value) -}}
{{- fail (printf "config.%s holds a URL with a password: reference it with secretEnv.%s: {secretName, key}" $key $key) -}}
{{- end -}}
{{- end -}}
{{- range $key, $_ := $v.secretEnv -}}
{{- if hasKey $v.config $key -}}
{{- fail (printf "%s is set both in config and in secretEnv: keep one" $key) -}}
{{- end -}}
{{- end -}}
{{- if and $v.ingressController.enabled (not $v.serviceAccount.automountToken) -}}
{{- fail "ingressController.enabled needs serviceAccount.automountToken=true: the gateway watches the Kubernetes API" -}}
{{- end -}}
{{- end -}}
