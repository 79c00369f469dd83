# sam build's makefile builder (template.yaml: `Metadata: BuildMethod: makefile`, `CodeUri: .`) runs
#   make --makefile <this file> build-<LogicalId>      with ARTIFACTS_DIR set, once per function.
# SAM's own Java workflow copies only a function's CodeUri folder, so a function module would lose its sibling
# `core` and the parent pom. Here Maven builds the reactor once, in this repository (not in SAM's scratch copy),
# and each target copies its function's shaded jar into $(ARTIFACTS_DIR)/lib/, which Lambda's Java runtime puts
# on the class path. The jars are files with prerequisites, so the reactor build runs only when a main source or
# pom is newer than the jar: the first function's target builds, the other four copy. A recent `mvn package`
# (or `bin/test`) leaves nothing to build. Tests are not run here: bin/test (and CI) is the gate.
#
# Function <Name>Function lives in functions/<name in kebab case>/ and shades target/<name>-function.jar, except the
# two webhook functions, which share functions/webhook/ (one handler serves both routes).

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
MAVEN ?= mvn
FUNCTIONS := credentials start-recording webhook outbox-drain
JARS := $(foreach f,$(FUNCTIONS),$(ROOT)/functions/$(f)/target/$(f)-function.jar)
SOURCES := $(ROOT)/pom.xml $(shell find $(addprefix $(ROOT)/functions/,core $(FUNCTIONS)) \
             \( -path '*/src/main/*' -o -name pom.xml \) -type f 2>/dev/null)

comma := ,
kebab = $(shell printf '%s' '$(1)' | sed -E 's/([a-z0-9])([A-Z])/\1-\2/g' | tr '[:upper:]' '[:lower:]')
module = $(if $(filter %Webhook,$(1)),webhook,$(call kebab,$(1)))

.SECONDEXPANSION:

build-%Function: $(ROOT)/functions/$$(call module,$$*)/target/$$(call module,$$*)-function.jar
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set: sam build sets it" >&2; exit 1; }
	mkdir -p "$(ARTIFACTS_DIR)/lib"
	cp "$<" "$(ARTIFACTS_DIR)/lib/"

$(JARS): $(SOURCES)
	cd "$(ROOT)" && JAVA_HOME="$$(bin/jdk)" $(MAVEN) -B -q -DskipTests \
	  -pl $(subst $(eval) ,$(comma),$(addprefix functions/,$(FUNCTIONS))) -am package
	touch $(JARS)
