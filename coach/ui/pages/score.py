from coach.ui import score_page

score_page.render()
