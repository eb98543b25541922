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

{{/*
An image reference from {registry, repository, tag, digest}. global.imageRegistry (a mirror) replaces the
registry of every image; a digest wins over the tag. Called with (dict "image" IMG "global" .Values.global
"defaultTag" TAG "key" "image").
*/}}
{{- define "cleanroomsml-monitor.imageRef" -}}
{{- $img := .image -}}
{{- $global := .global | default dict -}}
{{- $registry := default $img.registry $global.imageRegistry | trimSuffix "/" -}}
{{- $parts := splitList "/" $img.repository -}}
{{- $first := first $parts -}}
{{- if and $registry (gt (len $parts) 1) (or (contains "." $first) (contains ":" $first) (eq "localhost" $first)) -}}
{{- fail (printf "%s.repository %q starts with a registry host (%s) while the registry is %q: put the host in %s.registry (or global.imageRegistry) and only the path in %s.repository" .key $img.repository $first $registry .key .key) -}}
{{- end -}}
{{- $name := ternary (printf "%s/%s" $registry $img.repository) $img.repository (ne $registry "") -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $name $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $name (default .defaultTag $img.tag | toString) -}}
{{- end -}}
{{- end -}}

{{- define "cleanroomsml-monitor.image" -}}
{{- include "cleanroomsml-monitor.imageRef" (dict "image" .Values.image "global" .Values.global "defaultTag" .Chart.AppVersion "key" "image") -}}
{{- end -}}

{{- define "cleanroomsml-monitor.testImage" -}}
{{- include "cleanroomsml-monitor.imageRef" (dict "image" .Values.tests.image "global" .Values.global "defaultTag" "latest" "key" "tests.image") -}}
{{- end -}}

{{/* Pod template labels: the selector, commonLabels and podLabels (never the chart version, which would roll pods on every chart bump). */}}
{{- define "cleanroomsml-monitor.podLabels" -}}
{{ include "cleanroomsml-monitor.selectorLabels" . }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- with .Values.podLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Refuses values that would install a pod that cannot work. Included by the StatefulSet, so every render
(helm template, install, upgrade, lint) checks them.
*/}}
{{- define "cleanroomsml-monitor.validate" -}}
{{- if and (not .Values.config.resources) (not .Values.config.jobs) (not .Values.config.discovery) -}}
{{- fail "config.resources and config.discovery are both empty: the monitor would have nothing to watch and exit at start. Set at least one, e.g. --set config.discovery[0].collaborationId=<collaboration UUID> or --set config.resources[0].arn=<audience generation job ARN>" -}}
{{- end -}}
{{- if and .Values.config.resources .Values.config.jobs -}}
{{- fail "config.jobs is the deprecated name of config.resources: move its entries under config.resources" -}}
{{- end -}}
{{- if and .Values.persistence.existingClaim (gt (int64 .Values.config.sharding.totalShards) 1) -}}
{{- fail (printf "persistence.existingClaim (%s) can hold the state of one pod only, but config.sharding.totalShards is %d: leave existingClaim empty so that each shard gets its own claim from the volumeClaimTemplate" .Values.persistence.existingClaim (int64 .Values.config.sharding.totalShards)) -}}
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
{{- define "cleanroomsml-monitor.stateMount" -}}/var/lib/cleanroomsml-monitor{{- end -}}
{{/*
The state dir. The monitor refuses a state dir others can write. A PVC's root is group-writable
for fsGroup only (accepted); an emptyDir is created world-writable (0777) by the kubelet, so there
the state lives in a subdirectory the monitor creates with mode 0700.
*/}}
{{- define "cleanroomsml-monitor.stateDir" -}}
{{- include "cleanroomsml-monitor.stateMount" . -}}{{- if not .Values.persistence.enabled -}}/state{{- end -}}
{{- end -}}

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
{{- with .kinds }}{{ $_ := set $t "kinds" . }}{{ end -}}
{{- if hasKey . "allowHttp" }}{{ $_ := set $t "allowHttp" .allowHttp }}{{ end -}}
{{- with .timeoutMs }}{{ $_ := set $t "timeoutMs" (int64 .) }}{{ end -}}
{{- if hasKey . "allowPrivate" }}{{ $_ := set $t "allowPrivate" .allowPrivate }}{{ end -}}
{{- with .jobNamePattern }}{{ $_ := set $t "jobNamePattern" . }}{{ end -}}
{{- with .collaborationIds }}{{ $_ := set $t "collaborationIds" . }}{{ end -}}
{{- if hasKey . "everyTransition" }}{{ $_ := set $t "everyTransition" .everyTransition }}{{ end -}}
{{- if hasKey . "slowerThanUsual" }}{{ $_ := set $t "slowerThanUsual" .slowerThanUsual }}{{ end -}}
{{- with .tags }}{{ $_ := set $t "tags" . }}{{ end -}}
{{- if hasKey . "fallback" }}{{ $_ := set $t "fallback" .fallback }}{{ end -}}
{{- with .ratePerSecond }}{{ $_ := set $t "ratePerSecond" . }}{{ end -}}
{{- with .retry }}{{ $r := dict }}{{ range $k, $v := . }}{{ $_ := set $r $k (int64 $v) }}{{ end }}{{ $_ := set $t "retry" $r }}{{ end -}}
{{- with .deadLetters }}{{ $d := dict }}{{ range $k, $v := . }}{{ $_ := set $d $k (int64 $v) }}{{ end }}{{ $_ := set $t "deadLetters" $d }}{{ end -}}
{{- with (include "cleanroomsml-monitor.signingSecretKey" .) }}{{ $_ := set $t "secretFile" (printf "%s/%s" $dir .) }}{{ end -}}
{{- $targets = append $targets $t -}}
{{- end -}}
{{- $cfg := dict
  "aws" $aws
  "resources" (default (default list $c.jobs) $c.resources)
  "discovery" (default list $c.discovery)
  "polling" (dict "schedule" $c.polling.schedule "concurrency" (int64 $c.polling.concurrency) "maxRequestsPerSecond" $c.polling.maxRequestsPerSecond "notifyOnFirstSeenTerminal" $c.polling.notifyOnFirstSeenTerminal "terminalInterval" $c.polling.terminalInterval "terminalRetention" $c.polling.terminalRetention "maxBackoff" $c.polling.maxBackoff "maxListPages" (int64 $c.polling.maxListPages))
  "sharding" (dict "totalShards" (int64 $c.sharding.totalShards) "handoverLookback" $c.sharding.handoverLookback)
  "durations" (dict "samples" (int64 $c.durations.samples) "slowerThanUsual" (dict "factor" $c.durations.slowerThanUsual.factor "minimum" $c.durations.slowerThanUsual.minimum "minSamples" (int64 $c.durations.slowerThanUsual.minSamples)))
  "tags" (dict "keys" (default list $c.tags.keys) "refreshInterval" $c.tags.refreshInterval)
  "metrics" (dict "statusSeries" $c.metrics.statusSeries)
  "notifications" (dict "targets" $targets)
  "state" (dict "dir" (include "cleanroomsml-monitor.stateDir" .))
  "server" (dict "host" "0.0.0.0" "port" 9464 "admin" (dict "enabled" .Values.admin.enabled "host" "127.0.0.1" "port" (int64 .Values.admin.port)))
  "log" (dict "level" $c.log.level)
-}}
{{- toYaml $cfg -}}
{{- end -}}

{{/*
The value of the Prometheus job label of this release's series: the Service name, or, with
serviceMonitor.jobLabel, the value of that label on the Service.
*/}}
{{- define "cleanroomsml-monitor.jobName" -}}
{{- if .Values.serviceMonitor.jobLabel -}}
{{- $labels := include "cleanroomsml-monitor.labels" . | fromYaml -}}
{{- $v := index $labels .Values.serviceMonitor.jobLabel -}}
{{- if not $v -}}
{{- fail (printf "serviceMonitor.jobLabel %q is not a label of the Service (its labels: %s); name one of them, or add it through commonLabels" .Values.serviceMonitor.jobLabel (keys $labels | sortAlpha | join ", ")) -}}
{{- end -}}
{{- $v -}}
{{- else -}}
{{- include "cleanroomsml-monitor.fullname" . -}}
{{- end -}}
{{- end -}}

{{/* Series selector of this release's metrics in alert rules. */}}
{{- define "cleanroomsml-monitor.ruleSelector" -}}
{{- default (printf "job=%q,namespace=%q" (include "cleanroomsml-monitor.jobName" .) .Release.Namespace) .Values.prometheusRule.selector -}}
{{- end -}}
