"""The words the demo draws from: places, company names, people, services and reasons.

Why apart: the lists are data, long and edited for realism (accents, particles,
weights), while the row builders that use them are logic; keeping them here
lets either change without wading through the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
from typing import Any

# (city, area code, IANA time zone, weight): weights keep São Paulo's zone dominant.
REGIONS: tuple[tuple[str, str, str, int], ...] = (
    ("São Paulo", "11", "America/Sao_Paulo", 30),
    ("Campinas", "19", "America/Sao_Paulo", 6),
    ("Rio de Janeiro", "21", "America/Sao_Paulo", 12),
    ("Belo Horizonte", "31", "America/Sao_Paulo", 8),
    ("Curitiba", "41", "America/Sao_Paulo", 6),
    ("Porto Alegre", "51", "America/Sao_Paulo", 6),
    ("Florianópolis", "48", "America/Sao_Paulo", 3),
    ("Brasília", "61", "America/Sao_Paulo", 5),
    ("Goiânia", "62", "America/Sao_Paulo", 3),
    ("Vitória", "27", "America/Sao_Paulo", 3),
    ("Ribeirão Preto", "16", "America/Sao_Paulo", 2),
    ("Londrina", "43", "America/Sao_Paulo", 2),
    ("Joinville", "47", "America/Sao_Paulo", 2),
    ("Salvador", "71", "America/Bahia", 3),
    ("Recife", "81", "America/Recife", 3),
    ("Fortaleza", "85", "America/Fortaleza", 3),
    ("Belém", "91", "America/Belem", 1),
    ("Manaus", "92", "America/Manaus", 2),
    ("Cuiabá", "65", "America/Cuiaba", 1),
    ("Campo Grande", "67", "America/Campo_Grande", 1),
    ("Porto Velho", "69", "America/Porto_Velho", 1),
    ("Rio Branco", "68", "America/Rio_Branco", 1),
)

# (words used in the legal name, word used in the trade name)
SECTORS: tuple[tuple[str, str], ...] = (
    ("Padaria", "Padaria"),
    ("Padaria e Confeitaria", "Padaria"),
    ("Comércio de Peças", "Peças"),
    ("Transportadora", "Transportes"),
    ("Distribuidora de Alimentos", "Distribuidora"),
    ("Clínica Médica", "Clínica"),
    ("Farmácia e Drogaria", "Drogaria"),
    ("Supermercados", "Supermercado"),
    ("Construtora", "Construtora"),
    ("Indústria Metalúrgica", "Metalúrgica"),
    ("Hospital e Maternidade", "Hospital"),
    ("Colégio", "Colégio"),
    ("Escritório Contábil", "Contabilidade"),
    ("Agropecuária", "Agro"),
    ("Auto Posto", "Posto"),
    ("Laboratório de Análises Clínicas", "Laboratório"),
    ("Hotel e Turismo", "Hotel"),
    ("Frigorífico", "Frigorífico"),
    ("Cooperativa de Crédito", "Cooperativa"),
    ("Tecnologia e Sistemas", "Tecnologia"),
    ("Comércio de Materiais de Construção", "Materiais"),
    ("Indústria Têxtil", "Têxtil"),
    ("Logística e Armazéns Gerais", "Logística"),
    ("Engenharia Elétrica", "Engenharia"),
    ("Atacadista", "Atacadão"),
)

CORES: tuple[str, ...] = (
    "São João", "Santa Luzia", "Boa Vista", "Açaí", "Ipê Amarelo", "Jequitibá", "Araucária",
    "Paraíso", "Horizonte", "Três Irmãos", "Irmãos Araújo", "Guimarães", "Conceição",
    "Itajubá", "Maracanã", "Tropical", "Caiçara", "Sertão", "Pantanal", "Cerrado",
    "Mantiqueira", "Ribeirão", "Aurora", "Estrela do Sul", "Cristal", "Pioneira",
    "Sol Nascente", "Bom Jesus", "Nossa Senhora Aparecida", "Itapuã", "Juruá", "Tocantins",
    "Iguaçu", "Capibaribe", "Pitanga", "Jabuticaba", "Guaraná", "Carnaúba", "Sabiá",
    "Beija-Flor", "Tucano", "Gaúcha", "Mineira", "Paulista", "Nordestina", "Amazônia",
    "Atlântico", "Planalto", "Vale Verde", "Monte Sião", "Santa Cecília", "São Cristóvão",
    "São Bento", "Santo Antônio", "São Francisco", "Dom Pedro", "Imperatriz", "Lua Nova",
    "Pôr do Sol", "Maringá",
)  # fmt: skip

LEGAL_SUFFIXES: tuple[str, ...] = ("Ltda", "Ltda", "Ltda", "Ltda", "S.A.", "Ltda. ME", "EPP")
TLDS: tuple[str, ...] = (".com.br",) * 8 + (".net.br", ".ind.br", ".com")

# Given names by gender, so a second given name agrees with the first ("Ana Luíza").
FEMALE_NAMES: tuple[str, ...] = (
    "Ana", "Maria", "Lúcia", "Márcia", "Flávia", "Cláudia", "Letícia", "Patrícia", "Mônica",
    "Érica", "Júlia", "Beatriz", "Camila", "Fernanda", "Juliana", "Aline", "Bruna", "Larissa",
    "Renata", "Simone", "Sônia", "Inês", "Helena", "Cecília", "Valéria", "Vitória", "Iara",
    "Taís", "Jéssica", "Ângela", "Célia", "Débora", "Natália", "Priscila", "Cristiane", "Marta",
    "Glória", "Tânia", "Conceição", "Luíza",
)  # fmt: skip
MALE_NAMES: tuple[str, ...] = (
    "João", "José", "Antônio", "Francisco", "Luís", "Sérgio", "Fábio", "Vinícius", "Caio",
    "Rafael", "Gabriel", "Thiago", "Lucas", "Mateus", "Pedro", "Paulo", "Rodrigo", "Marcelo",
    "Raimundo", "Sebastião", "Joaquim", "Otávio", "Luan", "André", "Gustavo", "Leandro",
    "Rogério", "Wellington", "Benedito", "Régis", "Ítalo", "Cauã",
)  # fmt: skip
FEMALE_SECOND: tuple[str, ...] = (
    "Luíza", "Clara", "Gabriela", "Helena", "Cristina", "Fernanda", "Beatriz", "Aparecida",
    "Carolina", "Vitória",
)  # fmt: skip
MALE_SECOND: tuple[str, ...] = (
    "Pedro", "Carlos", "Eduardo", "Vítor", "Henrique", "Antônio", "Augusto", "Luís", "Gabriel",
    "Miguel",
)  # fmt: skip
SURNAMES: tuple[str, ...] = (
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
    "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Araújo", "Melo", "Barbosa",
    "Cardoso", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques",
    "Machado", "Mendes", "Freitas", "Cavalcanti", "Monteiro", "Teixeira", "Correia", "Vieira",
    "Gonçalves", "Conceição", "Magalhães", "Brandão", "Simões", "Falcão", "Assunção",
    "Guimarães", "Lopes", "Peixoto", "Sá", "Damasceno", "Bragança", "Leão", "Antunes",
    "Calixto", "Câmara", "Fontes", "Queiroz", "Paixão", "Aragão", "Romão", "Estêvão",
    "Mourão", "Quintão", "Loureiro", "Batista",
)  # fmt: skip
# Surnames that usually carry their particle ("Maria da Silva", "João dos Santos").
PARTICLE_SURNAMES: tuple[str, ...] = (
    "da Silva", "dos Santos", "de Oliveira", "de Souza", "da Costa", "do Nascimento",
    "da Conceição", "de Araújo", "de Freitas", "da Rocha", "de Melo", "dos Reis", "da Cunha",
    "de Lima", "de Jesus", "do Carmo",
)  # fmt: skip

CONTACT_ROLES: tuple[str | None, ...] = (
    "Gerente de TI",
    "Coordenador de Infraestrutura",
    "Coordenadora de Tecnologia",
    "Analista de Redes",
    "Diretor de Operações",
    "Supervisora de Suporte",
    "Sócio-Diretor",
    "Técnico de Plantão",
    "Gerente Administrativa",
    None,
)
LEVEL2_DELAYS = (10, 15, 15, 20, 30, 30, 45, 60)
LEVEL3_DELAYS = (15, 30, 30, 60, 60, 90, 120, 240)

# (service, lowest and highest monthly value in whole units, currency, weight)
SERVICES: tuple[tuple[str, int, int, str, int], ...] = (
    ("Link Dedicado 100 Mbps", 900, 2_500, "BRL", 14),
    ("Link Dedicado 500 Mbps", 2_800, 6_500, "BRL", 10),
    ("Link Dedicado 1 Gbps", 5_500, 12_000, "BRL", 6),
    ("Internet Empresarial 300 Mbps", 199, 499, "BRL", 10),
    ("SD-WAN Gerenciado", 1_500, 9_000, "BRL", 6),
    ("MPLS 50 Mbps", 1_200, 3_800, "BRL", 6),
    ("Lan-to-Lan 200 Mbps", 1_800, 5_200, "BRL", 4),
    ("Colocation 4U", 900, 2_400, "BRL", 3),
    ("Colocation Rack 42U", 7_000, 18_000, "BRL", 2),
    ("Firewall Gerenciado", 800, 4_500, "BRL", 6),
    ("Proteção Anti-DDoS", 1_500, 8_000, "BRL", 3),
    ("Backup em Nuvem 2 TB", 350, 1_500, "BRL", 4),
    ("Telefonia IP 30 Ramais", 450, 1_800, "BRL", 5),
    ("Wi-Fi Gerenciado", 600, 3_500, "BRL", 4),
    ("Cloud Privada 16 vCPU", 2_500, 9_000, "BRL", 3),
    ("Trânsito IP Internacional 1 Gbps", 800, 3_000, "USD", 2),
)
CENTS = (0, 0, 0, 0, 50, 90, 99)

RESET_REASONS = (
    "Cliente ligou: esqueceu a senha do portal",
    "Usuário bloqueado após tentativas de acesso",
    "Novo preposto precisa de acesso ao portal",
    "Senha expirada; cliente sem acesso ao e-mail cadastrado",
    "Preposto trocou de celular e perdeu o gerenciador de senhas",
)
UNLOCK_REASONS = (
    "Conta bloqueada por tentativas; identidade confirmada por retorno de ligação",
    "Cliente digitou a senha antiga várias vezes após a troca",
)
ESCALATION_REASONS = (
    "Cliente informou troca do contato de nível 2",
    "Atualização do tempo de escalonamento a pedido do cliente",
    "Contato de nível 1 saiu da empresa",
    "Inclusão do nível 3 conforme chamado do cliente",
    "Correção do telefone do plantão",
)


def _weighted(items: Sequence[Any], weights: Sequence[int]) -> tuple[list[Any], list[int]]:
    """Cumulative weights for ``random.choices``: computed once, not on every draw."""
    return list(items), list(accumulate(weights))


REGION_CHOICE = _weighted(REGIONS, [r[3] for r in REGIONS])
SERVICE_CHOICE = _weighted(SERVICES, [s[4] for s in SERVICES])
