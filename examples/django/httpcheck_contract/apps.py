from django.apps import AppConfig


class HttpcheckContractConfig(AppConfig):
    name = "httpcheck_contract"
    verbose_name = "httpcheck contract endpoints"
