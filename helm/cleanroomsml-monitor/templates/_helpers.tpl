{{/* Chart name, truncated to the 63 characters a label allows. */}}
{{- define "cleanroomsml-monitor.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: RELEASE-CHART, or RELEASE alone when it already contains the chart name. */}}
{{- define "cleanroomsml-monitor.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "cleanroomsml-monitor.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "cleanroomsml-monitor.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cleanroomsml-monitor.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "cleanroomsml-monitor.labels" -}}
helm.sh/chart: {{ include "cleanroomsml-monitor.chart" . }}
{{ include "cleanroomsml-monitor.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: cleanroomsml-monitor
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "cleanroomsml-monitor.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "cleanroomsml-monitor.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "cleanroomsml-monitor.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Name of the Secret with target URLs and signing secrets ("" when no target needs one). */}}
{{- define "cleanroomsml-monitor.secretName" -}}
{{- if .Values.notifications.existingSecret -}}
{{- .Values.notifications.existingSecret -}}
{{- else if .Values.notifications.targets -}}
{{- include "cleanroomsml-monitor.fullname" . -}}
{{- end -}}
{{- end -}}

{{- define "cleanroomsml-monitor.secretDir" -}}/var/run/secrets/cleanroomsml-monitor{{- end -}}
{{- define "cleanroomsml-monitor.stateDir" -}}/var/lib/cleanroomsml-monitor{{- end -}}

{{/* Key of a target's URL in the Secret. */}}
{{- define "cleanroomsml-monitor.urlKey" -}}
{{- default (printf "%s-url" .name) .urlKey -}}
{{- end -}}
{{/* Key of a target's signing secret in the Secret ("" when the target is not signed). */}}
{{- define "cleanroomsml-monitor.signingSecretKey" -}}
{{- if .signingSecretKey -}}
{{- .signingSecretKey -}}
{{- else if .signingSecret -}}
{{- printf "%s-signing-secret" .name -}}
{{- end -}}
{{- end -}}

{{/*
The daemon's config file (src/config/schema.ts). Secrets are referenced as *File keys pointing at the
mounted Secret, so the ConfigMap never holds a URL or a signing secret.
*/}}
{{- define "cleanroomsml-monitor.config" -}}
{{- $c := .Values.config -}}
{{- $aws := dict "region" $c.aws.region "requestTimeoutMs" (int64 $c.aws.requestTimeoutMs) "maxAttempts" (int64 $c.aws.maxAttempts) -}}
{{- if $c.aws.endpoint }}{{ $_ := set $aws "endpoint" $c.aws.endpoint }}{{ end -}}
{{- if $c.aws.roleArn }}{{ $_ := set $aws "roleArn" $c.aws.roleArn }}{{ end -}}
{{- $targets := list -}}
{{- $dir := include "cleanroomsml-monitor.secretDir" . -}}
{{- range .Values.notifications.targets -}}
{{- $t := dict "name" .name "type" .type "urlFile" (printf "%s/%s" $dir (include "cleanroomsml-monitor.urlKey" .)) -}}
{{- with .statuses }}{{ $_ := set $t "statuses" . }}{{ end -}}
{{- if hasKey . "allowHttp" }}{{ $_ := set $t "allowHttp" .allowHttp }}{{ end -}}
{{- with .timeoutMs }}{{ $_ := set $t "timeoutMs" (int64 .) }}{{ end -}}
{{- if hasKey . "allowPrivate" }}{{ $_ := set $t "allowPrivate" .allowPrivate }}{{ end -}}
{{- with .jobNamePattern }}{{ $_ := set $t "jobNamePattern" . }}{{ end -}}
{{- with .collaborationIds }}{{ $_ := set $t "collaborationIds" . }}{{ end -}}
{{- if hasKey . "everyTransition" }}{{ $_ := set $t "everyTransition" .everyTransition }}{{ end -}}
{{- with .ratePerSecond }}{{ $_ := set $t "ratePerSecond" . }}{{ end -}}
{{- with .retry }}{{ $r := dict }}{{ range $k, $v := . }}{{ $_ := set $r $k (int64 $v) }}{{ end }}{{ $_ := set $t "retry" $r }}{{ end -}}
{{- with (include "cleanroomsml-monitor.signingSecretKey" .) }}{{ $_ := set $t "secretFile" (printf "%s/%s" $dir .) }}{{ end -}}
{{- $targets = append $targets $t -}}
{{- end -}}
{{- $cfg := dict
  "aws" $aws
  "jobs" (default list $c.jobs)
  "discovery" (default list $c.discovery)
  "polling" (dict "schedule" $c.polling.schedule "concurrency" (int64 $c.polling.concurrency) "maxRequestsPerSecond" $c.polling.maxRequestsPerSecond "notifyOnFirstSeenTerminal" $c.polling.notifyOnFirstSeenTerminal "terminalInterval" $c.polling.terminalInterval "terminalRetention" $c.polling.terminalRetention "maxBackoff" $c.polling.maxBackoff)
  "sharding" (dict "totalShards" (int64 $c.sharding.totalShards))
  "metrics" (dict "statusSeries" $c.metrics.statusSeries)
  "notifications" (dict "targets" $targets)
  "state" (dict "dir" (include "cleanroomsml-monitor.stateDir" .))
  "server" (dict "host" "0.0.0.0" "port" 9464 "admin" (dict "enabled" .Values.admin.enabled "host" "127.0.0.1" "port" (int64 .Values.admin.port)))
  "log" (dict "level" $c.log.level)
-}}
{{- toYaml $cfg -}}
{{- end -}}

{{/* Series selector of this release's metrics in alert rules. */}}
{{- define "cleanroomsml-monitor.ruleSelector" -}}
{{- default (printf "job=%q,namespace=%q" (include "cleanroomsml-monitor.fullname" .) .Release.Namespace) .Values.prometheusRule.selector -}}
{{- end -}}
