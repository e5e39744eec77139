"""What a workspace that uses minitorch declares, offline, from its WORKSPACE:

    local_repository(name = "minitorch", path = "path/to/minitorch")
    load("@minitorch//bazel:deps.bzl", "minitorch_dependencies")
    minitorch_dependencies(path = "path/to/minitorch")

`path` is minitorch's checkout, absolute or relative to the calling
workspace (as in local_repository). minitorch's own WORKSPACE calls it with
".". Debian's Bazel 4.2.3 would otherwise try to download rules_java,
rules_cc and remote_coverage_tools; these are local stand-ins.
"""

def minitorch_dependencies(path):
    # Debian-installed libraries under /usr (Abseil, OpenBLAS, and the test
    # libraries), wrapped for Bazel.
    native.new_local_repository(
        name = "system",
        build_file = str(Label("//bazel:system.BUILD")),
        path = "/usr",
    )
    native.local_repository(
        name = "rules_java",
        path = "/usr/share/bazel/rules/java",
    )
    native.local_repository(
        name = "rules_cc",
        path = path + "/bazel/rules_cc",
    )
    native.local_repository(
        name = "remote_coverage_tools",
        path = path + "/bazel/remote_coverage_tools",
    )
