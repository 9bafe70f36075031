"""Finding the subcommand of a tool whose global options take values.

`kubectl -n prod delete deploy web`: the first word that does not start with `-` is `prod`,
the value of `-n`, not the subcommand. Each tool's options that take a value (from the tool's
own documentation: `kubectl options`, `helm --help`, `aws help`, `docker --help`, `docker
compose --help` …) are listed here, and `positionals` skips them in every spelling the tool
accepts: `--opt value`, `--opt=value`, `-o value`, `-ovalue`, `-o=value`, and a cluster of
letters whose last one takes the next word (`-itn prod`). Options not listed take no value.

Keys are a program or a program and its command group (`"docker compose"`): after the group's
word its own options apply too (`docker compose -f prod.yml down -v`)."""

from __future__ import annotations

from functools import lru_cache

_KUBE = ("-n --namespace --context --cluster --user --kubeconfig -s --server --token --as --as-group --as-uid "
         "--cache-dir --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout "
         "--username --password --profile --profile-output --log-dir --log-file --log-file-max-size "
         "--log-flush-frequency --stderrthreshold --vmodule -v --v "
         # options of the common subcommands that may come before their operands
         "-f --filename -l --selector -o --output -c --container --field-selector --grace-period --timeout "
         "-k --kustomize --for --type --replicas")
_HELM = ("-n --namespace --kube-context --kubeconfig --kube-apiserver --kube-as-group --kube-as-user --kube-ca-file "
         "--kube-token --kube-tls-server-name --burst-limit --qps --registry-config --repository-cache "
         "--repository-config --content-cache -f --values --set --set-string --set-file --set-json --set-literal "
         "--version --timeout -o --output --description --post-renderer --post-renderer-args --repo --username "
         "--password --ca-file --cert-file --key-file --cascade")
_AWS = ("--profile --region --output --endpoint-url --query --ca-bundle --cli-read-timeout --cli-connect-timeout "
        "--color --cli-binary-format")
_DOCKER = "--config -c --context -H --host -l --log-level --tlscacert --tlscert --tlskey "
_PODMAN = _DOCKER + ("--connection --url --identity --root --runroot --storage-driver --storage-opt --cgroup-manager "
                     "--events-backend --hooks-dir --network-cmd-path --runtime --runtime-flag --tmpdir --conmon "
                     "--module --imagestore --volumepath --ssh --log-level")
_NERDCTL = _DOCKER + ("-a --address -n --namespace --snapshotter --storage-driver --cni-path --cni-netconfpath "
                      "--data-root --cgroup-manager --host-gateway-ip --hosts-dir")
_COMPOSE = ("-f --file -p --project-name --env-file --profile --project-directory --ansi --parallel --progress "
            "-c --context -H --host --log-level --tlscacert --tlscert --tlskey")
_GCLOUD = ("--project --account --configuration --format --verbosity --impersonate-service-account "
           "--billing-project --flags-file --flatten --trace-token --access-token-file")
_AZ = "--subscription -o --output --query"
_DOCTL = "--context -o --output -t --access-token -c --config -u --api-url"
_GSUTIL = "-h -o -u -i"
_RCLONE = ("--config --log-file --log-level --stats --transfers --checkers --bwlimit --exclude --include --filter "
           "--filter-from --exclude-from --include-from --files-from --min-size --max-size --min-age --max-age "
           "--backup-dir --suffix --drive-shared-with-me --cache-dir --user-agent --retries --low-level-retries "
           "--timeout --contimeout --max-transfer --max-depth --order-by --password-command --tpslimit --fast-list")
_NMCLI = "-f --fields -g --get-values -e --escape -c --colors -m --mode -w --wait"
# MySQL's my_getopt: `-u root`/`-uroot`; `-p` takes a password only when attached (`-psecret`).
_MYSQLADMIN = ("-u --user -h --host -P --port -S --socket -c --count -i --sleep --protocol --ssl-ca --ssl-cert "
               "--ssl-key --plugin-dir --default-auth --default-character-set --character-sets-dir")
_PG = "-h --host -p --port -U --username --maintenance-db"
_SYSTEMCTL = ("-H --host -M --machine -t --type -p --property -P -s --signal -n --lines -o --output --state --root "
              "--kill-whom --kill-value --job-mode --what --timestamp --boot-loader-entry --boot-loader-menu "
              "--reboot-argument --message --drop-in --image --image-policy --preset-mode --when --check-inhibitors")

GLOBAL_VALUES: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in {
    "kubectl": _KUBE, "oc": _KUBE, "helm": _HELM, "aws": _AWS,
    "docker": _DOCKER, "podman": _PODMAN, "nerdctl": _NERDCTL,
    "docker compose": _COMPOSE, "podman compose": _COMPOSE, "nerdctl compose": _COMPOSE,
    "docker-compose": _COMPOSE, "podman-compose": _COMPOSE,
    "gcloud": _GCLOUD, "az": _AZ, "doctl": _DOCTL, "gsutil": _GSUTIL, "rclone": _RCLONE, "nmcli": _NMCLI,
    "mysqladmin": _MYSQLADMIN, "mariadb-admin": _MYSQLADMIN, "dropdb": _PG, "dropuser": _PG,
    "systemctl": _SYSTEMCTL,
}.items()}


def value_words(word: str, opts: frozenset[str]) -> int:
    """How many words the option `word` uses with its value: 2 when the value is the next word
    (`-n prod`, `--context prod`, `-itn prod`), else 1 (`--context=prod`, `-nprod`, `-it`)."""
    if word.startswith("--"):
        return 2 if "=" not in word and word in opts else 1
    for k in range(1, len(word)):
        if "-" + word[k] in opts:
            return 2 if k + 1 == len(word) else 1  # the letter owns the rest of the cluster
    return 1


def positionals(argv: list[str], key: str | None = None, start: int = 1) -> list[str]:
    """The words of argv[start:] that are not options or option values: the subcommand path
    and its operands (`kubectl -n prod delete deploy web` → delete, deploy, web). After `--`
    every word counts."""
    return [argv[i] for i in positional_indexes(argv, key, start)]


@lru_cache(maxsize=64)
def _opts(key: str) -> frozenset[str]:
    return GLOBAL_VALUES.get(key, frozenset())


def positional_indexes(argv: list[str], key: str | None = None, start: int = 1) -> list[int]:
    """Like `positionals`, their indexes in argv."""
    prog = key or (argv[0] if argv else "")
    opts = _opts(prog)
    out: list[int] = []
    i = start
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return out + list(range(i + 1, len(argv)))
        if a.startswith("-") and a != "-":
            i += value_words(a, opts)
            continue
        if not out and f"{prog} {a}" in GLOBAL_VALUES:  # a command group with options of its own
            opts = opts | _opts(f"{prog} {a}")
        out.append(i)
        i += 1
    return out
