{{- define "smartscale.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "smartscale.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "smartscale.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "smartscale.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "smartscale.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "smartscale.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: smartscale
{{- end -}}

{{/* Selector labels of one app: (dict "root" $ "component" "ingest") */}}
{{- define "smartscale.selectorLabels" -}}
app.kubernetes.io/name: {{ include "smartscale.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "smartscale.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (printf "%s-worker" (include "smartscale.fullname" .)) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "smartscale.secretName" -}}
{{- default (printf "%s-secrets" (include "smartscale.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{/*
The keys the release's Secret holds, as a JSON list: the chart's own Secret (the control token, given or
generated, and whichever of the others are given), or an existing Secret's `secrets.existingSecretKeys`.
Every key listed is referenced without `optional`, so a Secret that lacks one stops the pod instead of
silently running without it.
*/}}
{{- define "smartscale.secretKeys" -}}
{{- if .Values.secrets.existingSecret -}}
{{- toJson .Values.secrets.existingSecretKeys -}}
{{- else -}}
{{- $keys := list "control-token" -}}
{{- if .Values.secrets.apiKeys }}{{ $keys = append $keys "api-keys" }}{{ end -}}
{{- if .Values.secrets.webhookSecret }}{{ $keys = append $keys "webhook-secret" }}{{ end -}}
{{- toJson $keys -}}
{{- end -}}
{{- end -}}

{{/* secretKeyRef env entries, (dict "root" $ "vars" (list (list "SMARTSCALE_X" "key") ...)), for the keys the Secret holds. */}}
{{- define "smartscale.secretEnv" -}}
{{- $root := .root -}}
{{- $keys := include "smartscale.secretKeys" $root | fromJsonArray -}}
{{- range .vars }}
{{- if has (index . 1) $keys }}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ include "smartscale.secretName" $root }}
      key: {{ index . 1 }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
Secure defaults, checked on every render: the control API and ingest listen on 0.0.0.0 in the pod, so the
worker always has a control token, and ingest has API keys unless anonymous events are asked for by name.
When the cluster can be read (helm install/upgrade), an existing Secret must hold every key it is said to.
*/}}
{{- define "smartscale.validateSecrets" -}}
{{- $keys := include "smartscale.secretKeys" . | fromJsonArray -}}
{{- $s := .Values.secrets -}}
{{- if and $s.existingSecret (not (has "control-token" $keys)) -}}
{{- fail (printf "secrets.existingSecret %q must hold the key control-token (list it in secrets.existingSecretKeys): the control API listens on 0.0.0.0 and never runs without a token" $s.existingSecret) -}}
{{- end -}}
{{- if and $s.controlToken (lt (len $s.controlToken) 16) -}}
{{- fail "secrets.controlToken must be at least 16 characters (or leave it empty and the chart generates one)" -}}
{{- end -}}
{{- if not (or (has "api-keys" $keys) .Values.ingest.allowAnonymous) -}}
{{- fail "ingest listens on 0.0.0.0 and needs API keys: set secrets.apiKeys (or secrets.existingSecret with api-keys in secrets.existingSecretKeys), or ingest.allowAnonymous=true to accept events from anyone (development only)" -}}
{{- end -}}
{{- if $s.existingSecret -}}
{{- with (lookup "v1" "Secret" .Release.Namespace $s.existingSecret) -}}
{{- $data := .data | default dict -}}
{{- range $key := $keys -}}
{{- if not (hasKey $data $key) -}}
{{- fail (printf "secrets.existingSecret %q has no key %q (secrets.existingSecretKeys lists it); add it to the Secret or remove it from the list" $s.existingSecret $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
name: value pairs as an env list, values quoted (the apps parse strings). YAML numbers arrive as
float64 and would print as 6.048e+08: whole ones are printed as integers.
*/}}
{{- define "smartscale.env" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  {{- if and (kindIs "float64" $value) (eq $value (float64 (int64 $value))) }}
  value: {{ int64 $value | toString | quote }}
  {{- else }}
  value: {{ $value | toString | quote }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "smartscale.kafkaBrokers" -}}
{{- required "kafka.brokers is required: the bootstrap brokers of your Kafka or Redpanda" .Values.kafka.brokers -}}
{{- end -}}

{{/*
TLS files from a mounted Secret, as name: value env pairs in YAML: (dict "prefix" "SMARTSCALE_KAFKA" "dir" "/etc/smartscale/kafka-tls" "tls" .Values.kafka.tls)
*/}}
{{- define "smartscale.tlsFileEnv" -}}
{{- $env := dict -}}
{{- if .tls.enabled }}{{ $_ := set $env (printf "%s_TLS" .prefix) "true" }}{{ end -}}
{{- if .tls.secretName -}}
{{- range $file, $key := dict "CA" .tls.caKey "CERT" .tls.certKey "KEY" .tls.keyKey -}}
{{- if $key }}{{ $_ := set $env (printf "%s_TLS_%s_FILE" $.prefix $file) (printf "%s/%s" $.dir $key) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/* Kafka TLS and SASL for every app: literal variables (YAML), the password from its Secret, the TLS Secret's volume. */}}
{{- define "smartscale.kafkaSecurityEnv" -}}
{{- $env := include "smartscale.tlsFileEnv" (dict "prefix" "SMARTSCALE_KAFKA" "dir" "/etc/smartscale/kafka-tls" "tls" .Values.kafka.tls) | fromYaml -}}
{{- with .Values.kafka.sasl.mechanism -}}
{{- $_ := set $env "SMARTSCALE_KAFKA_SASL_MECHANISM" . -}}
{{- $_ := set $env "SMARTSCALE_KAFKA_SASL_USERNAME" (required "kafka.sasl.username is required with kafka.sasl.mechanism" $.Values.kafka.sasl.username) -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/*
One app's Deployment: (dict "root" $ "component" "ingest" "entry" "dist/apps/ingest/src/main.js" "values" .Values.ingest "env" $env "extraEnv" (list ...))
Readiness and startup probe /health (503 until the app's dependencies answer); liveness only checks
that the port answers, so a broker outage takes pods out of Services without restarting them.
*/}}
{{- define "smartscale.deployment" -}}
{{- $root := .root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "smartscale.fullname" $root }}-{{ .component }}
  labels:
    {{- include "smartscale.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  replicas: {{ .values.replicas }}
  selector:
    matchLabels:
      {{- include "smartscale.selectorLabels" (dict "root" $root "component" .component) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "smartscale.labels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .component }}
      {{- with merge (dict) (default (dict) .annotations) $root.Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if .serviceAccountName }}
      serviceAccountName: {{ .serviceAccountName }}
      {{- else }}
      automountServiceAccountToken: false
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .component }}
          image: "{{ $root.Values.image.repository }}:{{ default $root.Chart.AppVersion $root.Values.image.tag }}"
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          command: ["node", {{ .entry | quote }}]
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          ports:
            - name: http
              containerPort: {{ .values.port }}
              protocol: TCP
          env:
            {{- include "smartscale.env" (merge (dict) .env (include "smartscale.kafkaSecurityEnv" $root | fromYaml)) | nindent 12 }}
            {{- with $root.Values.kafka.sasl.mechanism }}
            - name: SMARTSCALE_KAFKA_SASL_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ required "kafka.sasl.passwordSecret.name is required with kafka.sasl.mechanism" $root.Values.kafka.sasl.passwordSecret.name }}
                  key: {{ $root.Values.kafka.sasl.passwordSecret.key }}
            {{- end }}
            {{- with .fieldEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
            {{- with .secretEnv }}
            {{- include "smartscale.secretEnv" (dict "root" $root "vars" .) | nindent 12 }}
            {{- end }}
            {{- include "smartscale.env" .values.extraEnv | nindent 12 }}
          {{- $mounts := default (list) .volumeMounts }}
          {{- if $root.Values.kafka.tls.secretName }}{{ $mounts = append $mounts (dict "name" "kafka-tls" "mountPath" "/etc/smartscale/kafka-tls" "readOnly" true) }}{{ end }}
          {{- with $mounts }}
          volumeMounts:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          startupProbe:
            httpGet: { path: /health, port: http }
            periodSeconds: 5
            failureThreshold: 60
          readinessProbe:
            httpGet: { path: /health, port: http }
            periodSeconds: 10
            timeoutSeconds: 5
          livenessProbe:
            tcpSocket: { port: http }
            periodSeconds: 20
            failureThreshold: 3
          resources:
            {{- toYaml .values.resources | nindent 12 }}
      {{- $volumes := default (list) .volumes }}
      {{- with $root.Values.kafka.tls.secretName }}{{ $volumes = append $volumes (dict "name" "kafka-tls" "secret" (dict "secretName" .)) }}{{ end }}
      {{- with $volumes }}
      volumes:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}

{{/* One app's Service: (dict "root" $ "component" "ingest" "port" 3000 "type" "ClusterIP") */}}
{{- define "smartscale.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "smartscale.fullname" .root }}-{{ .component }}
  labels:
    {{- include "smartscale.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  type: {{ default "ClusterIP" .type }}
  selector:
    {{- include "smartscale.selectorLabels" (dict "root" .root "component" .component) | nindent 4 }}
  ports:
    - name: http
      port: {{ .port }}
      targetPort: http
      protocol: TCP
{{- end -}}
