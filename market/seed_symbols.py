"""The bundled symbol master: well-known KRX stocks, written by hand.

`reference_price` is a plausible recent close on the tick grid; it becomes `prev_close` when
nothing better is known (a fresh database without a loaded listing or candles), so the simulated
feed and the daily band have a base price.

`daily_value_eok` is the stock's typical daily traded value (거래대금) in 억 won (10^8), rounded to
the order of magnitude KRX's daily market data showed for it in 2024–25; the synthetic market sizes
its participants' orders and rates from it, so depth and volume are of the real order of
magnitude. `kospi200` is KOSPI 200 membership, which sets the dynamic VI threshold (±3% rather than
±6%); both are symbol data, editable in the back office.
"""

from __future__ import annotations

from typing import NamedTuple


class SeedSymbol(NamedTuple):
    code: str
    name: str
    name_en: str
    market: str
    sector: str
    reference_price: int
    daily_value_eok: int
    kospi200: bool


SEED_SYMBOLS: tuple[SeedSymbol, ...] = (
    # KOSPI
    SeedSymbol("005930", "삼성전자", "Samsung Electronics", "KOSPI", "전기전자", 71_000, 10_000, True),
    SeedSymbol("000660", "SK하이닉스", "SK hynix", "KOSPI", "전기전자", 198_000, 8_000, True),
    SeedSymbol("035420", "NAVER", "NAVER", "KOSPI", "서비스업", 187_300, 1_000, True),
    SeedSymbol("005380", "현대차", "Hyundai Motor", "KOSPI", "운수장비", 232_500, 1_000, True),
    SeedSymbol("373220", "LG에너지솔루션", "LG Energy Solution", "KOSPI", "전기전자", 352_000, 1_500, True),
    SeedSymbol("207940", "삼성바이오로직스", "Samsung Biologics", "KOSPI", "의약품", 1_012_000, 800, True),
    SeedSymbol("068270", "셀트리온", "Celltrion", "KOSPI", "의약품", 174_700, 1_000, True),
    SeedSymbol("035720", "카카오", "Kakao", "KOSPI", "서비스업", 41_950, 1_000, True),
    SeedSymbol("051910", "LG화학", "LG Chem", "KOSPI", "화학", 258_000, 1_000, True),
    SeedSymbol("006400", "삼성SDI", "Samsung SDI", "KOSPI", "전기전자", 264_500, 1_200, True),
    SeedSymbol("105560", "KB금융", "KB Financial Group", "KOSPI", "금융업", 93_600, 800, True),
    SeedSymbol("055550", "신한지주", "Shinhan Financial Group", "KOSPI", "금융업", 56_800, 500, True),
    SeedSymbol("000270", "기아", "Kia", "KOSPI", "운수장비", 98_700, 800, True),
    SeedSymbol("012330", "현대모비스", "Hyundai Mobis", "KOSPI", "운수장비", 254_000, 400, True),
    SeedSymbol("005490", "POSCO홀딩스", "POSCO Holdings", "KOSPI", "철강금속", 304_000, 1_000, True),
    SeedSymbol("028260", "삼성물산", "Samsung C&T", "KOSPI", "유통업", 131_800, 400, True),
    SeedSymbol("066570", "LG전자", "LG Electronics", "KOSPI", "전기전자", 78_400, 600, True),
    SeedSymbol("003550", "LG", "LG Corp", "KOSPI", "금융업", 72_500, 200, True),
    SeedSymbol("017670", "SK텔레콤", "SK Telecom", "KOSPI", "통신업", 53_700, 300, True),
    SeedSymbol("030200", "KT", "KT", "KOSPI", "통신업", 52_500, 300, True),
    SeedSymbol("015760", "한국전력", "KEPCO", "KOSPI", "전기가스업", 33_650, 700, True),
    SeedSymbol("034020", "두산에너빌리티", "Doosan Enerbility", "KOSPI", "기계", 69_900, 2_500, True),
    SeedSymbol("012450", "한화에어로스페이스", "Hanwha Aerospace", "KOSPI", "운수장비", 875_000, 3_000, True),
    SeedSymbol("329180", "HD현대중공업", "HD Hyundai Heavy Industries", "KOSPI", "운수장비", 467_000, 1_500, True),
    SeedSymbol("011200", "HMM", "HMM", "KOSPI", "운수창고업", 20_050, 400, True),
    SeedSymbol("033780", "KT&G", "KT&G", "KOSPI", "음식료품", 129_400, 300, True),
    SeedSymbol("096770", "SK이노베이션", "SK Innovation", "KOSPI", "화학", 107_700, 500, True),
    SeedSymbol("010950", "S-Oil", "S-Oil", "KOSPI", "화학", 61_300, 200, True),
    SeedSymbol("323410", "카카오뱅크", "KakaoBank", "KOSPI", "금융업", 23_500, 300, True),
    SeedSymbol("352820", "하이브", "HYBE", "KOSPI", "서비스업", 204_000, 600, True),
    SeedSymbol("003490", "대한항공", "Korean Air", "KOSPI", "운수창고업", 26_200, 300, True),
    SeedSymbol("034220", "LG디스플레이", "LG Display", "KOSPI", "전기전자", 10_270, 300, True),
    SeedSymbol("088350", "한화생명", "Hanwha Life", "KOSPI", "보험업", 4_320, 100, True),
    # KOSDAQ
    SeedSymbol("247540", "에코프로비엠", "EcoPro BM", "KOSDAQ", "일반전기전자", 111_200, 1_500, False),
    SeedSymbol("086520", "에코프로", "EcoPro", "KOSDAQ", "금융", 77_000, 1_500, False),
    SeedSymbol("196170", "알테오젠", "Alteogen", "KOSDAQ", "제약", 258_500, 2_000, False),
    SeedSymbol("263750", "펄어비스", "Pearl Abyss", "KOSDAQ", "디지털컨텐츠", 33_450, 200, False),
    SeedSymbol("293490", "카카오게임즈", "Kakao Games", "KOSDAQ", "디지털컨텐츠", 16_980, 150, False),
    SeedSymbol("035900", "JYP Ent.", "JYP Entertainment", "KOSDAQ", "오락·문화", 68_200, 200, False),
    SeedSymbol("041510", "에스엠", "SM Entertainment", "KOSDAQ", "오락·문화", 89_300, 200, False),
    SeedSymbol("028300", "HLB", "HLB", "KOSDAQ", "유통", 52_800, 1_000, False),
    SeedSymbol("277810", "레인보우로보틱스", "Rainbow Robotics", "KOSDAQ", "기계·장비", 387_000, 800, False),
    SeedSymbol("058470", "리노공업", "LEENO Industrial", "KOSDAQ", "반도체", 71_100, 150, False),
    SeedSymbol("039030", "이오테크닉스", "EO Technics", "KOSDAQ", "반도체", 348_000, 300, False),
    SeedSymbol("141080", "리가켐바이오", "LigaChem Biosciences", "KOSDAQ", "제약", 99_400, 400, False),
    SeedSymbol("298380", "에이비엘바이오", "ABL Bio", "KOSDAQ", "제약", 70_600, 300, False),
    SeedSymbol("240810", "원익IPS", "Wonik IPS", "KOSDAQ", "반도체", 124_500, 200, False),
    SeedSymbol("036930", "주성엔지니어링", "Jusung Engineering", "KOSDAQ", "반도체", 180_700, 200, False),
    SeedSymbol("214150", "클래시스", "Classys", "KOSDAQ", "의료·정밀기기", 55_300, 150, False),
)
