// Pins the Jaeger v2 all-in-one that testbed/tracing/tracing.sh builds into
// $SHOAL_CACHE/jaeger/<version>/jaeger: the version is read from the require line below and
// go.sum pins the module's checksum. Jaeger v2 is published on the Go module proxy under the
// module's v1 tags (v1.76.0 is Jaeger v2.13.0). Its go.mod has replace directives, so it cannot
// be `go install`ed: tracing.sh builds the downloaded source in place with its own go.mod.
// To upgrade: change the version, then `go mod download github.com/jaegertracing/jaeger` here
// and put the two lines it adds to go.sum (or run with GOFLAGS=-mod=mod once).
module shoal.local/testbed/tracing/jaeger

go 1.24

require github.com/jaegertracing/jaeger v1.76.0
