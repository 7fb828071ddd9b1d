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

{{/* The secret keys that are in use: from the values, or all of them with an existing Secret (optional refs). */}}
{{- define "smartscale.secretEnv" -}}
{{- $root := .root -}}
{{- range .vars }}
{{- $key := index . 1 }}
{{- $value := index $root.Values.secrets (index . 2) }}
{{- if or $root.Values.secrets.existingSecret $value }}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ include "smartscale.secretName" $root }}
      key: {{ $key }}
      optional: {{ not $value }}
{{- end }}
{{- end }}
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
            {{- include "smartscale.env" .env | nindent 12 }}
            {{- with .fieldEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
            {{- with .secretEnv }}
            {{- include "smartscale.secretEnv" (dict "root" $root "vars" .) | nindent 12 }}
            {{- end }}
            {{- include "smartscale.env" .values.extraEnv | nindent 12 }}
          {{- with .volumeMounts }}
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
      {{- with .volumes }}
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
