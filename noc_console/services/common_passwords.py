"""The bundled list of common and breached-style passwords, and the structural check.

NIST SP 800-63B asks verifiers to refuse passwords found in lists of commonly
used or breached values. A full breach corpus is hundreds of megabytes; what
attackers try first is far smaller and very regular: a few hundred base words
(classic top passwords, Portuguese words, Brazilian first names and football
clubs) with a number or a symbol stuck on the end, keyboard walks, one
character repeated, counting sequences. So the list is kept as base words and
patterns and expanded once, lazily, into a few thousand entries; the matcher
folds the candidate (case, accents, common leet substitutions) and also tries
it with leading/trailing digits and symbols stripped, which is how
'Senha@2024!' and 'brasil2024' are caught without listing every year.

Kept as Python rather than a data file so it ships with the package without
any package-data configuration.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from noc_console.text import fold

# Classic top passwords (English-language breach lists), base forms only.
_CLASSIC = """
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123
baseball abc123 football monkey letmein shadow master 666666 qwertyuiop 123321
mustang 1234567890 michael 654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx
123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer harley
batman andrew tigger sunshine iloveyou 2000 charlie robert thomas hockey ranger
daniel starwars klaster 112233 george computer michelle jessica pepper 1111 zxcvbn
555555 11111111 131313 freedom 777777 pass maggie 159753 aaaaaa ginger princess
joshua cheese amanda summer love ashley nicole chelsea biteme matthew access
yankees 987654321 dallas austin thunder taylor matrix mobilemail mom monitor
monitoring montana moon moscow secret welcome welcome1 admin administrator root
toor login passw0rd password1 password123 qwerty123 qwerty1 iloveyou1 princess1
admin123 abc12345 abcd1234 1q2w3e4r 1q2w3e 1q2w3e4r5t q1w2e3r4 zaq12wsx zaq1zaq1
qwe123 asd123 asdf1234 asdfghjkl asdfasdf qwerasdf 123abc abc123456 test test123
testing guest default changeme changeit letmein1 whatever nothing secret123
hello hello123 helloworld football1 baseball1 soccer1 dragon1 monkey1 shadow1
master1 sunshine1 superman1 batman1 trustno1 starwars1 pokemon pikachu naruto
minecraft fortnite roblox google facebook instagram youtube twitter linkedin
microsoft windows apple samsung iphone android linux ubuntu oracle mysql
postgres database server network internet computer1 laptop desktop keyboard
mypassword mypass passpass pass123 pass1234 passw0rd1 p4ssw0rd p@ssword
p@ssw0rd password12 password1234 passwordpassword letmeinnow opensesame
iloveu iloveyou2 loveme lovely loveyou lover sweetheart sweety sweetie honey
baby babygirl babyboy angel angels angel1 princesa beautiful butterfly flower
flowers rainbow sunflower cookie cookies chocolate candy banana orange apple1
cherry strawberry peanut pumpkin pepper1 ginger1 coffee tequila vodka whiskey
beer cheese1 pizza hotdog burger chicken turkey tiger lion eagle falcon hawk
shark dolphin panther jaguar cobra viper scorpion spider wolf wolves bear bears
dragons dragon123 phoenix unicorn wizard merlin gandalf hobbit frodo matrix1
neo morpheus trinity zion batman123 spiderman ironman hulk thor avengers marvel
superman123 joker harley1 harleydavidson ferrari porsche mercedes bmw audi
corvette camaro mustang1 ford chevy toyota honda yamaha suzuki kawasaki ducati
nissan jeep hummer cowboy cowboys rangers yankees1 redsox lakers bulls celtics
packers steelers eagles giants jets patriots broncos raiders chiefs dolphins
arsenal liverpool chelsea1 manchester united barcelona madrid realmadrid juventus
milan inter bayern dortmund messi ronaldo neymar pele maradona beckham zidane
michael1 jordan23 kobe kobe24 lebron jordan1 tigers redskins cardinals
jennifer1 jessica1 ashley1 amanda1 michelle1 nicole1 daniel1 andrew1 joshua1
thomas1 charlie1 robert1 william william1 james james1 david david1 richard
joseph charles christopher matthew1 anthony mark donald steven paul kenneth
kevin brian george1 edward ronald timothy jason jeffrey ryan jacob gary
nicholas eric stephen jonathan larry justin scott brandon frank benjamin
gregory samuel raymond patrick alexander jack dennis jerry tyler aaron henry
mary patricia linda barbara elizabeth susan margaret dorothy lisa nancy karen
betty helen sandra donna carol ruth sharon michelle2 laura sarah kimberly
deborah lisa1 shirley cynthia angela melissa brenda amy anna rebecca virginia
kathleen pamela martha debra amanda2 stephanie carolyn christine marie janet
catherine frances ann joyce diane alice julie heather teresa doris gloria
evelyn jean cheryl mildred katherine joan ashley2 judith rose janice kelly
nicole2 judy christina kathy theresa beverly denise tammy irene jane lori
rachel marilyn andrea kathryn louise sara anne jacqueline wanda bonnie julia
ruby lois tina phyllis norma paula diana annie lillian emily robin peggy
crystal gladys rita dawn connie florence tracy edna tiffany carmen rosa cindy
grace wendy victoria edith kim sherry sylvia josephine thelma shannon sheila
ethan jayden mason logan lucas liam noah oliver elijah aiden carter sebastian
hannah madison olivia emma sophia isabella ava mia abigail chloe samantha
qwertyu qwertyui qwert asdfg asdfghj zxcvb zxcvbnm1 qazwsxedc qazxsw 1qazxsw2
1qaz2wsx3edc zaq1xsw2 xsw2zaq1 !qaz2wsx q2w3e4r5 1234qwer qwer1234 qwer asdf
zxcv poiuytrewq lkjhgfdsa mnbvcxz 0987654321 987654 9876543210 147258369
159357 753951 147258 258369 369258 852456 456789 789456 456123 321654 142536
696969 101010 202020 112211 123654 123789 456456 789789 147852 963852 741852
159951 357159 123987 321321 999999 888888 444444 333333 222222 00000000
99999999 88888888 77777777 66666666 55555555 44444444 33333333 22222222
11112222 12121212 12341234 11223344 1212 1313 2222 6969 4321 54321 7654321
87654321 a1b2c3 a1b2c3d4 abc abcd abcde abcdef abcdefg abcdefgh qweasd
qweasdzxc qweqwe asdasd zxczxc asdqwe qazqaz wsxwsx 1a2b3c abcabc aaa111
adminadmin root123 toor123 administrator1 sysadmin superuser supervisor
manager support helpdesk service services office user user123 username
account access1 accesso pass12345 master123 master12 private public secure
security system system123 temp temp123 temporary letmein123 trustme
"""

# Portuguese words, phrases and Brazilian favourites people build passwords from.
_PORTUGUESE = """
senha senhas minhasenha suasenha novasenha senhanova senhaforte senhasegura
senhafacil senhadificil senhapadrao senhaportal senhatemporaria senhaantiga
mudar mudarsenha mudeasenha mudeme trocar trocarsenha trocasenha alterar
alterarsenha alterasenha acesso acessar acessoportal portal entrar entrada
bemvindo bemvinda usuario usuarios administrador admin1 suporte sistema
servidor rede internet computador teste testando teste123 padrao inicial
provisoria provisorio temporaria temporario primeiroacesso primeira primeiro
brasil brazil brasileiro brasileira brasil2024 brasilia saopaulo riodejaneiro
rio sampa bahia salvador recife fortaleza curitiba beloh belohorizonte
portoalegre manaus belem goiania floripa florianopolis natal maceio
joaopessoa teresina campinas santos vitoria cuiaba campogrande aracaju
flamengo corinthians palmeiras saopaulofc vasco vascodagama gremio
internacional cruzeiro atletico atleticomineiro botafogo fluminense santosfc
bahiafc sport sportrecife fortalezaec ceara coritiba athletico parana
goias vitoriaec nautico paysandu remo juventude chapecoense mengao timao
verdao tricolor colorado galo raposa fogao peixe porco urubu
amor amorzinho meuamor amoreterno teamo euteamo teamomuito teadoro
amovoce amomuito paixao coracao carinho querida querido linda lindo
princesa principe gatinha gatinho bebe bebezinho neném fofinha fofinho
deus deusefiel deuseamor deusebom jesus jesuscristo jesusteama jesusmeama
cristo senhor aleluia gloria graca fe esperanca paz familia felicidade
saudade saudades alegria sorriso vida minhavida viver liberdade sucesso
dinheiro riqueza trabalho empresa escritorio estudante escola faculdade
futebol bola gol craque campeao vencedor guerreiro guerreira estrela lua sol
mar praia verao inverno primavera outono chocolate morango banana abacaxi
cachorro gato gata passaro borboleta flor flores rosa margarida girassol
azul verde amarelo vermelho preto branco rosa1 roxo laranja
abcd1234 qwerty12 asdf123 mudar123 senha123 senha1234 senha12345 admin1234
trocar123 acesso123 brasil123 teste1234 mudar1234 alterar123 portal123
mudarsenha123 123mudar 123senha senhanova123 novasenha123 bemvindo123
maria jose joao ana francisco antonio carlos paulo pedro lucas luiz marcos
luis gabriel rafael daniel marcelo bruno eduardo felipe raimundo rodrigo
manoel mateus andre fernando fabio leonardo gustavo guilherme leandro tiago
anderson ricardo marcio jorge sebastiao alexandre roberto edson diego vitor
sergio claudio matheus thiago geraldo adriano luciano julio renato alex
vinicius rogerio samuel ronaldo mario flavio igor douglas davi manuel
jeferson cicero victor miguel robson mauricio danilo henrique caio
reginaldo joaquim benedito gilberto marco alan nelson cristiano elias
wilson valdir emerson luan renan severino fabricio mauro jonas gilmar jean
fabiano wesley diogo adilson jair alessandro everton osvaldo gilson willian
joel silvio helio maicon reinaldo pablo artur vagner valter celso ivan
cleiton vanderlei vicente arthur milton domingos wagner sandro moises
edilson ademir adao evandro cesar valmir murilo juliano edvaldo ailton
junior breno nicolas ruan alberto rubens nilton augusto cleber osmar nilson
hugo otavio italo alisson aparecido heitor enzo theo bernardo lorenzo
francisca antonia adriana juliana marcia fernanda patricia aline sandra
camila amanda bruna jessica leticia julia luciana vanessa mariana gabriela
vera vitoria larissa claudia beatriz rita luana sonia renata eliane josefa
simone natalia cristiane carla debora rosangela jaqueline daniela
aparecida marlene terezinha raimunda andreia fabiana lucia raquel angela
rafaela joana luzia elaine daniele regina daiane suelen alessandra isabel
bianca lais tatiane viviane priscila carolina rosana helena valentina
alice sophia laura manuela isadora heloisa luiza cecilia giovanna
silva santos oliveira souza sousa rodrigues ferreira alves pereira lima
gomes costa ribeiro martins carvalho almeida lopes soares fernandes vieira
barbosa rocha dias nascimento andrade moreira nunes marques machado mendes
freitas cardoso ramos goncalves santana teixeira
segunda terca quarta quinta sexta sabado domingo janeiro fevereiro marco
abril maio junho julho agosto setembro outubro novembro dezembro
umdoistres umdoistresquatro zeroum abcdefgh123 qwertyuiop123
correcthorsebatterystaple correcthorse batterystaple
"""

# What people stick on the end of a base word (the matcher strips digits and
# symbols anyway; these make the expanded list resemble a real breach list).
_SUFFIXES = (
    "1", "12", "123", "1234", "12345", "123456", "!", "@", "@123", "2024", "2025", "2026",
)  # fmt: skip

_KEYBOARD_ROWS = (
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7",
    "qweasdzxc",
    "qwertyuiopasdfghjklzxcvbnm",
    "1q2w3e4r5t6y7u8i9o0p",
    "q1w2e3r4t5y6u7i8o9p0",
    "147258369",
    "159357",
    "741852963",
)

_SEQUENCES = (
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz",
)

# Leet substitutions folded back to letters before comparing.
_LEET = str.maketrans(
    {"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "$": "s", "5": "s", "7": "t"}
)
_EDGE_JUNK = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_LEADING_JUNK = re.compile(r"^[\W\d_]+")
_TRAILING_JUNK = re.compile(r"[\W\d_]+$")
_MAX_EDGE = 12  # longest run of digits/symbols treated as a suffix or prefix
_MAX_ENTRY = 48  # no listed entry is longer (the longest keyboard walk has 36)
_NON_ALNUM = re.compile(r"[\W_]+")

_MIN_WALK = 4  # shorter fragments are too common in ordinary words to call a walk
_MAX_REPEAT_LEN = 32


def _base_words() -> list[str]:
    return [w for w in (_CLASSIC + " " + _PORTUGUESE).split() if w]


def _walks() -> set[str]:
    """Keyboard walks and counting sequences, forwards and backwards, of 4+ characters."""
    found: set[str] = set()
    for row in (*_KEYBOARD_ROWS, *_SEQUENCES):
        for text in (row, row[::-1]):
            for start in range(len(text)):
                for end in range(start + _MIN_WALK, len(text) + 1):
                    found.add(text[start:end])
    return found


def _repeats() -> set[str]:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return {ch * n for ch in alphabet for n in range(4, _MAX_REPEAT_LEN + 1)}


@functools.cache
def common_passwords() -> frozenset[str]:
    """The expanded list (folded, a few thousand entries); built once per process."""
    words = {fold(w) for w in _base_words()}
    expanded = set(words)
    for word in words:
        expanded.update(word + suffix for suffix in _SUFFIXES)
    expanded |= _walks()
    expanded |= _repeats()
    return frozenset(expanded)


@functools.cache
def _bare_words() -> frozenset[str]:
    """Base words with digits and symbols removed: what a stripped candidate is compared to."""
    bare = set()
    for word in common_passwords():
        stripped = _EDGE_JUNK.sub("", word)
        if len(stripped) >= 3:
            bare.add(stripped)
    return frozenset(bare)


def _forms(candidate: str) -> set[str]:
    folded = fold(unicodedata.normalize("NFKC", candidate))
    forms = {folded, folded.replace(" ", "")}
    for form in list(forms):
        forms.add(form.translate(_LEET))
        forms.add(_NON_ALNUM.sub("", form))
    return {f for f in forms if f}


def _edge_variants(form: str) -> set[str]:
    """The form with up to _MAX_EDGE leading/trailing digits or symbols cut off, every way.

    Cutting one character at a time (rather than all edge junk at once) keeps a
    leet symbol that belongs to the word: 'S3nh@2024!' -> 's3nh@' -> 'senha'.
    """
    if len(form) > _MAX_ENTRY + 2 * _MAX_EDGE:
        return set()
    lead = len(form) - len(_LEADING_JUNK.sub("", form))
    trail = len(form) - len(_TRAILING_JUNK.sub("", form))
    lead, trail = min(lead, _MAX_EDGE), min(trail, _MAX_EDGE)
    variants = set()
    for start in range(lead + 1):
        for end in range(len(form) - trail, len(form) + 1):
            if end - start >= 3:
                variants.add(form[start:end])
    return variants


def is_common(candidate: str) -> bool:
    """True when the candidate is on the list, ignoring case, accents, leet and edge digits."""
    listed = common_passwords()
    bare = _bare_words()
    for form in _forms(candidate):
        if form in listed:
            return True
        for variant in _edge_variants(form):
            for text in (variant, variant.translate(_LEET)):
                if text in listed or text in bare:
                    return True
    return False


def _is_repetition(text: str) -> bool:
    """'abcabcabc', 'aaaa…', 'senhasenha': a short unit, or a listed word, repeated."""
    n = len(text)
    for size in range(1, n // 2 + 1):
        if n % size:
            continue
        unit = text[:size]
        if unit * (n // size) == text and (n // size >= 3 or size <= 4 or is_common(unit)):
            return True
    return False


def _is_walk(text: str) -> bool:
    """The whole text is a run along a keyboard row or a counting sequence (wrapping)."""
    if len(text) < _MIN_WALK:
        return False
    for row in (*_KEYBOARD_ROWS, *_SEQUENCES):
        for seq in (row, row[::-1]):
            cycle = seq * (len(text) // len(seq) + 2)
            if text in cycle:
                return True
    return False


def is_predictable(candidate: str) -> bool:
    """One character or a short unit repeated, or a keyboard walk / counting sequence.

    Catches what a list cannot enumerate at every length ('a' * 40, '1234567890123').
    """
    text = fold(unicodedata.normalize("NFKC", candidate)).replace(" ", "")
    alnum = _NON_ALNUM.sub("", text)
    if len(text) >= _MIN_WALK and (len(set(text)) <= 2 or _is_repetition(text)):
        return True
    if len(alnum) < _MIN_WALK:
        return False
    return len(set(alnum)) <= 2 or _is_repetition(alnum) or _is_walk(alnum)
