# Varnish in front of the harness origin, for TestVarnish
# (realproxies_test.go): the backend and nothing else, so the built-in VCL
# decides everything, exactly as `varnishd -b {{origin}}` would. The test
# fills in {{host}} and {{port}} and starts
#
#   varnishd -F -j none -f varnish.vcl -a 127.0.0.1:PORT -n DIR -s malloc,64m
#
# with every parameter at its default (default_ttl 120 s, default_grace
# 10 s, default_keep 0 s).
vcl 4.1;

backend default {
    .host = "{{host}}";
    .port = "{{port}}";
}
